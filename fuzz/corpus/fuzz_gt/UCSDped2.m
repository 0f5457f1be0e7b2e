TestVideoFile = {};
TestVideoFile{end+1}.gt_frame = [5:9, 15:16];
TestVideoFile{end+1}.gt_frame = [1:3, 12:15];
TestVideoFile{end+1}.gt_frame = [];
