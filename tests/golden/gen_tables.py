#!/usr/bin/python3
"""Writes the table fixtures of tests/test_tabular.c into tests/fixtures/tables.

Run once with /usr/bin/python3 (numpy, scipy); the files are committed.
X[i, j] = i + j / 10 (4 x 3), y = [0, 1, 0, 0]: the tests check these values.
"""
import io
import os
import zipfile

import numpy as np
import scipy.io

OUT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tables")


def main():
    os.makedirs(OUT, exist_ok=True)
    X = np.array([[i + j / 10 for j in range(3)] for i in range(4)], np.float64)
    y = np.array([0, 1, 0, 0], np.int64)
    p = lambda n: os.path.join(OUT, n)
    np.savez(p("stored.npz"), X=X.astype(np.float32), y=y)
    np.savez_compressed(p("deflated.npz"), X=X, y=y.astype(np.float64))
    # ADBench's files hold Fortran-order arrays
    np.savez_compressed(p("fortran.npz"), X=np.asfortranarray(X), y=y)
    np.savez(p("no_x.npz"), data=X, y=y)
    np.savez(p("y_count.npz"), X=X, y=y[:3])
    with open(p("deflated.npz"), "rb") as f:
        whole = f.read()
    with open(p("truncated.npz"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    # a member whose npy is cut short inside an otherwise sound zip
    buf = io.BytesIO()
    np.save(buf, X)
    with zipfile.ZipFile(p("short_member.npz"), "w") as z:
        z.writestr("X.npy", buf.getvalue()[:-8])
    scipy.io.savemat(p("odds.mat"), {"X": X, "y": y.reshape(-1, 1).astype(np.float64)})
    scipy.io.savemat(p("no_x.mat"), {"Z": X, "y": y.reshape(-1, 1)})
    scipy.io.savemat(p("text_x.mat"), {"X": "not numbers", "y": y.reshape(-1, 1)})


if __name__ == "__main__":
    main()
