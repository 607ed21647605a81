"""Read MNIST from its four standard IDX files (plain or gzipped).

The assignments ship small data sets that build offline from scikit-learn. An
instructor who has the MNIST files can rebuild an assignment's data at full
size instead (its `build_data.py --mnist FOLDER`, where offered); this module
is what reads them, with only numpy and the standard library.
"""
import gzip
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 2051   # IDX: unsigned bytes, 3 dimensions (count, rows, columns)
LABELS_MAGIC = 2049   # IDX: unsigned bytes, 1 dimension (count)

FILES = ('train-images-idx3-ubyte', 'train-labels-idx1-ubyte',
         't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte')


def find_file(folder, name):
    """The path of `name` or `name.gz` in folder, or None."""
    for candidate in (name, name + '.gz'):
        path = Path(folder) / candidate
        if path.is_file():
            return path
    return None


def read_idx(path, magic, ndim):
    """The array stored in one IDX file of unsigned bytes, shape from its header."""
    opener = gzip.open if path.suffix == '.gz' else open
    with opener(path, 'rb') as f:
        raw = f.read()
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f'{path}: {len(raw)} bytes is too short for an IDX header')
    found = int.from_bytes(raw[:4], 'big')
    if found != magic:
        raise ValueError(f'{path}: magic number {found}, expected {magic}')
    shape = tuple(int(n) for n in np.frombuffer(raw, dtype='>u4', count=ndim, offset=4))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise ValueError(f'{path}: {len(raw)} bytes, but the header {shape} needs {expected}')
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load_pair(folder, images_name, labels_name):
    """(X (N, rows*cols) float64, y (N,) int64) from one images/labels pair."""
    images_path, labels_path = find_file(folder, images_name), find_file(folder, labels_name)
    images = read_idx(images_path, IMAGES_MAGIC, 3)
    labels = read_idx(labels_path, LABELS_MAGIC, 1)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f'{images_path} holds {images.shape[0]} images but '
                         f'{labels_path} holds {labels.shape[0]} labels')
    X = images.reshape(images.shape[0], -1).astype(np.float64)
    return X, labels.astype(np.int64)


def load_mnist(folder):
    """(X_train, y_train, X_test, y_test) from the MNIST files in folder.

    X_train: (60000, 784) and X_test: (10000, 784), float64 pixel values
    0..255; y_train, y_test: int64 labels 0..9 (for the real files).
    """
    missing = [name for name in FILES if find_file(folder, name) is None]
    if missing:
        raise FileNotFoundError(f'MNIST files missing from {folder}: '
                                + ', '.join(missing) + ' (each may also end in .gz)')
    X_train, y_train = load_pair(folder, FILES[0], FILES[1])
    X_test, y_test = load_pair(folder, FILES[2], FILES[3])
    return X_train, y_train, X_test, y_test
