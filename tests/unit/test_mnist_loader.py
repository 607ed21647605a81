"""grader.assignment.data.load_mnist on tiny hand-made IDX files."""
import gzip

import numpy as np
import pytest

from grader.assignment.data import load_mnist


def idx_bytes(magic, array):
    """An IDX file: big-endian magic, one big-endian size per axis, the bytes."""
    array = np.asarray(array, dtype=np.uint8)
    header = magic.to_bytes(4, 'big') + b''.join(n.to_bytes(4, 'big') for n in array.shape)
    return header + array.tobytes()


def write_mnist(folder, n_train=3, n_test=2, gz=False):
    rng = np.random.default_rng(0)
    arrays = {
        'train-images-idx3-ubyte': (2051, rng.integers(0, 256, (n_train, 28, 28))),
        'train-labels-idx1-ubyte': (2049, rng.integers(0, 10, n_train)),
        't10k-images-idx3-ubyte': (2051, rng.integers(0, 256, (n_test, 28, 28))),
        't10k-labels-idx1-ubyte': (2049, rng.integers(0, 10, n_test)),
    }
    for name, (magic, array) in arrays.items():
        data = idx_bytes(magic, array)
        if gz:
            (folder / (name + '.gz')).write_bytes(gzip.compress(data, mtime=0))
        else:
            (folder / name).write_bytes(data)
    return {name: array for name, (_, array) in arrays.items()}


@pytest.mark.parametrize('gz', [False, True])
def test_load_mnist_reads_shapes_and_values(tmp_path, gz):
    arrays = write_mnist(tmp_path, gz=gz)
    X_train, y_train, X_test, y_test = load_mnist(tmp_path)
    assert X_train.shape == (3, 784) and X_test.shape == (2, 784)
    assert X_train.dtype == np.float64 and y_train.dtype == np.int64
    np.testing.assert_array_equal(X_train, arrays['train-images-idx3-ubyte'].reshape(3, 784))
    np.testing.assert_array_equal(X_test[1], arrays['t10k-images-idx3-ubyte'][1].ravel())
    np.testing.assert_array_equal(y_train, arrays['train-labels-idx1-ubyte'])
    np.testing.assert_array_equal(y_test, arrays['t10k-labels-idx1-ubyte'])


def test_wrong_magic_number_names_the_file(tmp_path):
    write_mnist(tmp_path)
    labels = (tmp_path / 'train-labels-idx1-ubyte').read_bytes()
    (tmp_path / 'train-labels-idx1-ubyte').write_bytes((2051).to_bytes(4, 'big') + labels[4:])
    with pytest.raises(ValueError, match='train-labels-idx1-ubyte: magic number 2051, expected 2049'):
        load_mnist(tmp_path)


def test_truncated_file_is_a_size_error(tmp_path):
    write_mnist(tmp_path)
    images = (tmp_path / 't10k-images-idx3-ubyte').read_bytes()
    (tmp_path / 't10k-images-idx3-ubyte').write_bytes(images[:-10])
    with pytest.raises(ValueError, match='t10k-images-idx3-ubyte: .* bytes, but the header'):
        load_mnist(tmp_path)


def test_image_and_label_counts_must_agree(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / 'train-labels-idx1-ubyte').write_bytes(idx_bytes(2049, [1, 2]))
    with pytest.raises(ValueError, match='3 images but .* 2 labels'):
        load_mnist(tmp_path)


def test_missing_files_are_named(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / 't10k-labels-idx1-ubyte').unlink()
    with pytest.raises(FileNotFoundError, match='t10k-labels-idx1-ubyte'):
        load_mnist(tmp_path)
