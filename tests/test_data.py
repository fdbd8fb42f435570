"""Data sets, splitting and scaling, and the MNIST loader (tested offline on tiny files made here)."""

import gzip
import hashlib

import numpy as np
import pytest

from gdcourse import data

# ---------------------------------------------------------------- synthetic sets


def test_linear_data_is_the_seed_000_data():
    np.random.seed(0)  # noqa: NPY002 (the seed notebook used the legacy global generator)
    X_expected = np.random.rand(100, 2)  # noqa: NPY002
    y_expected = X_expected @ [2, 3] + 1
    X, y = data.linear_data()
    np.testing.assert_array_equal(X, X_expected)
    np.testing.assert_array_equal(y, y_expected)
    assert X.shape == (100, 2) and y.shape == (100,)


def test_linear_data_noise_and_weights():
    X, y = data.linear_data(n_samples=20_000, w=(1.0, -2.0, 0.5), b=-3.0, noise=0.5, seed=1)
    assert X.shape == (20_000, 3)
    residual = y - (X @ [1.0, -2.0, 0.5] - 3.0)
    assert abs(residual.mean()) < 0.02 and residual.std() == pytest.approx(0.5, rel=0.03)


def test_paraboloid_data():
    X, z = data.paraboloid_data(n_samples=10_000, seed=0)
    assert X.shape == (10_000, 2) and z.shape == (10_000,)
    assert X.min() >= 0 and X.max() < 1
    noise = z - (X**2).sum(axis=1)
    assert abs(noise.mean()) < 0.05  # 5 standard errors
    assert noise.var() == pytest.approx(1.0, abs=0.05)  # the std of a variance of 10,000 N(0,1) is 0.014
    X0, z0 = data.paraboloid_data(n_samples=50, noise=0.0, seed=2)
    np.testing.assert_allclose(z0, X0[:, 0] ** 2 + X0[:, 1] ** 2, rtol=1e-15)


def test_zipf_bag_of_words_shapes_values_and_seed():
    X, y, w = data.zipf_bag_of_words(n_samples=300, n_words=50, words_per_doc=8, seed=3)
    assert X.shape == (300, 50) and y.shape == (300,) and w.shape == (50,)
    assert set(np.unique(X)) <= {0.0, 1.0} and set(np.unique(y)) <= {0, 1} and y.dtype == np.int64
    assert np.all(X.sum(axis=1) >= 1) and np.all(X.sum(axis=1) <= 8)  # 8 draws, repeats count once
    X2, y2, w2 = data.zipf_bag_of_words(n_samples=300, n_words=50, words_per_doc=8, seed=3)
    for a, b in [(X, X2), (y, y2), (w, w2)]:
        np.testing.assert_array_equal(a, b)
    X3, _, _ = data.zipf_bag_of_words(n_samples=300, n_words=50, words_per_doc=8, seed=4)
    assert not np.array_equal(X, X3)


@pytest.mark.parametrize("exponent", [0.8, 1.0, 1.3])
def test_zipf_bag_of_words_follows_zipfs_law(exponent):
    """Word k occurs in a document with probability 1 - (1 - p_k)^L, p_k = k^-s / sum_j j^-s (Zipf's law):
    every word's measured document frequency lies within 5 binomial standard errors of that, and the
    per-draw probabilities recovered from it fall with rank on a log-log line of slope -s."""
    n, K, L = 20_000, 100, 10
    X, _, _ = data.zipf_bag_of_words(n_samples=n, n_words=K, words_per_doc=L, exponent=exponent, seed=0)
    ranks = np.arange(1, K + 1)
    p = ranks**-exponent / np.sum(ranks**-exponent)
    presence = 1 - (1 - p) ** L
    measured = X.mean(axis=0)
    assert np.all(np.abs(measured - presence) < 5 * np.sqrt(presence * (1 - presence) / n))
    p_hat = 1 - (1 - measured) ** (1 / L)
    slope = np.polyfit(np.log(ranks), np.log(p_hat), 1)[0]
    assert slope == pytest.approx(-exponent, abs=0.03)


def test_zipf_bag_of_words_signal_is_in_the_rare_words_only():
    """The frequent words have weight 0, the others +-weight; the labels follow the logistic model:
    in bins of the true logit, the fraction of label 1 matches the mean sigmoid within 5 standard errors."""
    X, y, w = data.zipf_bag_of_words(n_samples=20_000, n_words=200, n_frequent=20, weight=1.5, seed=1)
    assert np.all(w[:20] == 0) and np.all(np.abs(w[20:]) == 1.5)
    assert 0.3 < np.mean(w[20:] > 0) < 0.7  # random signs
    frequency = X.mean(axis=0)
    assert frequency[:20].min() > frequency[20:].max()  # the informative words are the rare ones
    logit = X @ w
    p = 1 / (1 + np.exp(-logit))
    for lo, hi in [(-np.inf, -2), (-2, -0.5), (-0.5, 0.5), (0.5, 2), (2, np.inf)]:
        inside = (logit > lo) & (logit <= hi)
        assert inside.sum() > 500
        expected, se = p[inside].mean(), np.sqrt(p[inside].mean() * (1 - p[inside].mean()) / inside.sum())
        assert abs(y[inside].mean() - expected) < 5 * se


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_samples": 2.5}, ValueError, "whole number"),
        ({"n_words": True}, TypeError, "whole number"),
        ({"n_words": 10, "n_frequent": 10}, ValueError, "from 0 to 9. At least one word must carry signal"),
        ({"words_per_doc": 0}, ValueError, "at least 1"),
        ({"exponent": -1.0}, ValueError, "exponent"),
        ({"weight": 0.0}, ValueError, "weight"),
    ],
)
def test_zipf_bag_of_words_rejects_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        data.zipf_bag_of_words(**kwargs)


def test_blobs_and_moons():
    X, y = data.blobs(n_samples=400, distance=2.5, seed=0)
    assert X.shape == (400, 2) and y.shape == (400,) and set(y) == {0, 1} and y.sum() == 200
    centre_distance = np.linalg.norm(X[y == 1].mean(axis=0) - X[y == 0].mean(axis=0))
    assert centre_distance == pytest.approx(2.5, abs=0.3)  # each mean's std is 1/sqrt(200) per axis
    X, y = data.moons(n_samples=100, seed=0)
    assert X.shape == (100, 2) and set(y) == {0, 1}


# ---------------------------------------------------------------- splitting and scaling


def test_train_test_split_sizes_disjoint_and_deterministic():
    n = 50
    X = np.c_[np.arange(n), np.random.default_rng(0).standard_normal(n)]  # column 0 names the sample
    y = np.arange(n) % 3
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, seed=1)
    assert len(X_train) == len(y_train) == 40 and len(X_test) == len(y_test) == 10
    train_ids, test_ids = X_train[:, 0].astype(int), X_test[:, 0].astype(int)
    assert set(train_ids).isdisjoint(test_ids)
    assert sorted([*train_ids, *test_ids]) == list(range(n))
    np.testing.assert_array_equal(y_train, y[train_ids])  # labels travel with their rows
    np.testing.assert_array_equal(y_test, y[test_ids])
    assert y_train.dtype.kind == "i"  # integer labels stay integers
    again = data.train_test_split(X, y, test_size=0.2, seed=1)
    for a, b in zip(again, (X_train, X_test, y_train, y_test), strict=True):
        np.testing.assert_array_equal(a, b)
    other = data.train_test_split(X, y, test_size=0.2, seed=2)
    assert not np.array_equal(other[1], X_test)
    assert not np.array_equal(np.sort(test_ids), np.arange(10))  # shuffled: not just the first 10 samples


def test_train_test_split_rejects_bad_input():
    X, y = np.zeros((10, 2)), np.zeros(10)
    for bad in (0.0, 1.0, -0.1):
        with pytest.raises(ValueError, match="test_size"):
            data.train_test_split(X, y, test_size=bad)
    with pytest.raises(ValueError, match="rows"):
        data.train_test_split(X, y[:9])


def test_standardizer_uses_training_statistics():
    rng = np.random.default_rng(0)
    X_train = rng.normal(loc=[5.0, -3.0, 100.0], scale=[2.0, 0.1, 30.0], size=(200, 3))
    X_test = rng.normal(loc=[6.0, -3.0, 80.0], scale=[2.0, 0.1, 30.0], size=(50, 3))
    scaler = data.Standardizer().fit(X_train)
    Z_train, Z_test = scaler.transform(X_train), scaler.transform(X_test)
    np.testing.assert_allclose(Z_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z_train.std(axis=0), 1.0, rtol=1e-12)
    expected = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)  # training statistics, not the test set's
    np.testing.assert_allclose(Z_test, expected, rtol=1e-12)
    assert abs(Z_test[:, 0].mean()) > 0.2  # the test set's shift is visible, not scaled away
    np.testing.assert_allclose(data.Standardizer().fit_transform(X_train), Z_train)
    assert "fitted on 3 features" in repr(scaler)


def test_standardizer_edge_cases():
    X = np.c_[np.arange(5.0), np.full(5, 7.0)]  # second feature is constant
    Z = data.Standardizer().fit_transform(X)
    np.testing.assert_array_equal(Z[:, 1], 0.0)  # centred, not divided by 0
    assert np.isfinite(Z).all()
    with pytest.raises(RuntimeError, match="fit"):
        data.Standardizer().transform(X)
    with pytest.raises(ValueError, match="features"):
        data.Standardizer().fit(X).transform(np.zeros((2, 3)))


# ---------------------------------------------------------------- scikit-learn's bundled sets


def test_bundled_loaders_have_the_documented_shapes():
    X, y = data.load_diabetes()
    assert X.shape == (442, 10) and y.shape == (442,) and X.dtype == y.dtype == np.float64
    assert X[:, 0].min() >= 18 and X[:, 0].max() <= 80  # unscaled: the first column is age in years
    X, y = data.load_breast_cancer()
    assert X.shape == (569, 30) and y.shape == (569,) and set(np.unique(y)) == {0, 1}
    assert y.dtype == np.int64 and y.sum() == 357  # 357 benign, 212 malignant
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,) and set(np.unique(y)) == set(range(10))
    assert X.min() == 0 and X.max() == 16 and y.dtype == np.int64


# ---------------------------------------------------------------- MNIST, offline

NAMES = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
]


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX format: 0x00 0x00, type 0x08 (unsigned byte), ndim; each dimension as big-endian uint32; data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write(path, content: bytes) -> str:
    path.write_bytes(content)
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def mnist_source(tmp_path):
    """Four tiny gzipped IDX files (5 training, 3 test images of 28x28) and their SHA-256."""
    rng = np.random.default_rng(0)
    arrays = {
        NAMES[0]: rng.integers(0, 256, (5, 28, 28)),
        NAMES[1]: np.array([3, 1, 4, 1, 5]),
        NAMES[2]: rng.integers(0, 256, (3, 28, 28)),
        NAMES[3]: np.array([9, 2, 6]),
    }
    arrays[NAMES[0]][0, 0, 0], arrays[NAMES[0]][0, 0, 1] = 0, 255  # both ends of the pixel range
    source = tmp_path / "source"
    source.mkdir()
    files = {name: write(source / name, gzip.compress(idx_bytes(a))) for name, a in arrays.items()}
    return source, files, arrays


def load(source, files, cache, **kwargs):
    return data.load_mnist(cache_dir=cache, url=source.as_uri() + "/", files=files, **kwargs)


def test_mnist_round_trip(mnist_source, tmp_path):
    source, files, arrays = mnist_source
    X_train, X_test, y_train, y_test = load(source, files, tmp_path / "cache")
    assert X_train.shape == (5, 784) and X_test.shape == (3, 784)
    np.testing.assert_array_equal(X_train, arrays[NAMES[0]].reshape(5, 784) / 255)
    np.testing.assert_array_equal(X_test, arrays[NAMES[2]].reshape(3, 784) / 255)
    assert X_train[0, 0] == 0.0 and X_train[0, 1] == 1.0
    np.testing.assert_array_equal(y_train, [3, 1, 4, 1, 5])
    np.testing.assert_array_equal(y_test, [9, 2, 6])
    assert y_train.dtype == np.int64 and X_train.dtype == np.float64
    assert sorted(p.name for p in (tmp_path / "cache" / "mnist").iterdir()) == sorted(NAMES)
    X_train, X_test, y_train, y_test = load(source, files, tmp_path / "cache", num_train=2, num_test=1)
    assert X_train.shape == (2, 784) and X_test.shape == (1, 784)
    np.testing.assert_array_equal(y_train, [3, 1])
    np.testing.assert_array_equal(y_test, [9])


def test_mnist_second_call_uses_the_cache(mnist_source, tmp_path):
    source, files, _ = mnist_source
    first = load(source, files, tmp_path / "cache")
    for name in NAMES:
        (source / name).unlink()  # nothing left to download
    second = load(source, files, tmp_path / "cache")
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_mnist_environment_variable_sets_the_cache(mnist_source, tmp_path, monkeypatch):
    source, files, _ = mnist_source
    monkeypatch.setenv("GDCOURSE_DATA", str(tmp_path / "from_env"))
    data.load_mnist(url=source.as_uri() + "/", files=files)
    assert (tmp_path / "from_env" / "mnist" / NAMES[0]).exists()


def test_mnist_corrupted_cache_is_downloaded_again(mnist_source, tmp_path):
    source, files, arrays = mnist_source
    load(source, files, tmp_path / "cache")
    cached = tmp_path / "cache" / "mnist" / NAMES[1]
    cached.write_bytes(b"garbage")
    _, _, y_train, _ = load(source, files, tmp_path / "cache")
    np.testing.assert_array_equal(y_train, arrays[NAMES[1]])
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == files[NAMES[1]]


def test_mnist_wrong_checksum_raises_and_leaves_no_file(mnist_source, tmp_path):
    source, files, _ = mnist_source
    wrong = dict(files)
    wrong[NAMES[2]] = "0" * 64  # the third file's download must be discarded
    with pytest.raises(OSError, match="Checksum mismatch"):
        load(source, wrong, tmp_path / "cache")
    left = sorted(p.name for p in (tmp_path / "cache" / "mnist").iterdir())
    assert left == sorted(NAMES[:2])  # the verified files stay; no partial or temporary file


def test_mnist_missing_source_raises(tmp_path):
    with pytest.raises(OSError):
        data.load_mnist(
            cache_dir=tmp_path / "cache", url=(tmp_path / "nowhere").as_uri() + "/", files={NAMES[0]: "0" * 64}
        )
    assert not any((tmp_path / "cache" / "mnist").iterdir())


IMAGES = idx_bytes(np.random.default_rng(1).integers(0, 256, (5, 28, 28)))
GZIPPED = gzip.compress(IMAGES)


@pytest.mark.parametrize(
    "content, match",
    [
        (gzip.compress(IMAGES[: 16 + 3 * 784]), "truncated"),  # 3 of the 5 images the header announces
        (gzip.compress(IMAGES[:10]), "truncated"),  # the header is cut
        (GZIPPED[: len(GZIPPED) // 2], "gzip"),  # the gzip stream is cut
        (gzip.compress(b"\x00\x00"), "truncated"),
        (gzip.compress(b"not an idx file at all"), "not an IDX file"),
        (b"plain bytes, not gzip", "gzip"),
    ],
    ids=["missing_images", "cut_header", "cut_gzip", "two_bytes", "not_idx", "not_gzip"],
)
def test_mnist_truncated_or_malformed_file_raises_a_clear_error(mnist_source, tmp_path, content, match):
    source, files, _ = mnist_source
    files = dict(files)
    files[NAMES[0]] = write(source / NAMES[0], content)  # a correct checksum for a bad file
    with pytest.raises(ValueError, match=match) as error:
        load(source, files, tmp_path / "cache")
    assert NAMES[0] in str(error.value)  # the message names the file


@pytest.mark.parametrize("name", ["load_diabetes", "load_breast_cancer", "load_digits"])
def test_bundled_loaders_equal_scikit_learns_own(name):
    """gdcourse reads scikit-learn's data files without importing scikit-learn; same arrays."""
    import sklearn.datasets

    X, y = getattr(data, name)()
    kwargs = {"scaled": False} if name == "load_diabetes" else {}
    reference = getattr(sklearn.datasets, name)(**kwargs)
    np.testing.assert_array_equal(X, reference.data)
    np.testing.assert_array_equal(y, reference.target)
    assert X.dtype == np.float64 and y.dtype == (np.float64 if name == "load_diabetes" else np.int64)


def test_bundled_loaders_do_not_import_scikit_learn():
    import subprocess
    import sys

    code = (
        "import sys; from gdcourse import data; data.load_digits(); data.load_breast_cancer(); data.load_diabetes(); "
        "print('sklearn' in sys.modules, 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_offline_download_says_what_to_do(tmp_path):
    missing = (tmp_path / "nowhere").as_uri() + "/"
    with pytest.raises(OSError, match="Are you online") as info:
        data._download(missing + "train-labels-idx1-ubyte.gz", tmp_path / "cache" / "f.gz", "0" * 64)
    assert str(tmp_path / "cache") in str(info.value)
    assert not any((tmp_path / "cache").iterdir())  # nothing half-written left behind
