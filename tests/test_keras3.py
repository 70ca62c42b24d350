# SPDX-License-Identifier: BSD-3-Clause
"""weightinit.keras under Keras 3: Initializer subclasses registered as "weightinit>...",
model.save -> load_model / from_config / clone_model, seeds (int, SeedGenerator,
keras.utils.set_random_seed), Keras 3's names and arguments, float16 / bfloat16 /
mixed-precision layers. Runs on the process's Keras backend (tests/conftest.py picks jax, or
torch); tests/test_keras3_backends.py runs this file again on the other one."""

import inspect
import json
import math
import zipfile

import numpy as np
import pytest
from optional import require
from test_keras import sorted_sets

import weightinit

keras = require("keras", extra="keras", minversion="3")

from weightinit import keras as wk  # noqa: E402

ki = wk.initializers
TAG = {"weightinit_stream": f"v{weightinit.STREAM_VERSION}"}  # in every random one's config
# Keras 3's initializer names (aliases included) and its classes, one name each.
KERAS_NAMES = sorted(
    name for name, obj in vars(keras.initializers).items()
    if isinstance(obj, type) and issubclass(obj, keras.initializers.Initializer)
    and obj is not keras.initializers.Initializer)
KERAS_CLASSES = sorted({getattr(keras.initializers, n).__name__ for n in KERAS_NAMES})


def np_of(x):
    """A backend tensor, variable (or array) as NumPy, bfloat16 kept."""
    return keras.ops.convert_to_numpy(x.value if isinstance(x, keras.Variable) else x)


@pytest.fixture(autouse=True)
def _float32_policy():
    yield
    keras.mixed_precision.set_dtype_policy("float32")


def test_keras_mode():
    assert wk.KERAS is keras
    assert wk.Initializer.__mro__[1] is keras.initializers.Initializer
    for name in ("HeNormal", "Constant", "Orthogonal", "Identity", "VarianceScaling", "Zeros"):
        cls = getattr(ki, name)
        assert issubclass(cls, keras.initializers.Initializer)
        assert keras.saving.get_registered_name(cls) == f"weightinit>{name}"
        assert keras.saving.get_registered_object(f"weightinit>{name}") is cls
    out = ki.HeNormal(seed=1)((4, 3))
    assert keras.ops.is_tensor(out)  # a backend tensor, as Keras's own initializers return
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


def test_every_keras3_name_and_argument():
    assert "HeNormal" in KERAS_CLASSES and "STFT" in KERAS_CLASSES
    for name in KERAS_NAMES:
        assert getattr(ki, name).__name__ == getattr(keras.initializers, name).__name__, name
    for name in KERAS_CLASSES:
        theirs = inspect.signature(getattr(keras.initializers, name).__init__).parameters
        ours = inspect.signature(getattr(ki, name).__init__).parameters
        assert list(theirs) == list(ours), name  # same arguments, same order
        for arg, p in theirs.items():
            if arg != "self":
                assert ours[arg].default == p.default or (name, arg) == ("Constant", "value"), \
                    (name, arg)

def test_get_takes_every_keras3_name():
    """Every name keras.initializers.get knows gives the weightinit class of that name (Keras's
    table: class names, snake_case names, compatibility names, the base class)."""
    from keras.src.initializers import ALL_OBJECTS_DICT
    assert len(ALL_OBJECTS_DICT) >= 40
    for name, cls in ALL_OBJECTS_DICT.items():
        ours = wk.get(name)
        assert type(ours).__name__ == cls.__name__, name
        assert type(ours) is getattr(ki, cls.__name__), name
        assert type(wk.get({"class_name": name, "config": {}})) is type(ours), name


@pytest.mark.parametrize("side,window,scaling,periodic", [
    ("real", None, "density", False), ("imag", "hann", "density", False),
    ("real", "hamming", None, True), ("imag", "tukey", "density", False),
    ("imag", "blackman", "spectrum", True), ("real", "list", "spectrum", False)])
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_stft_equals_keras(side, window, scaling, periodic, dtype):
    """STFT gives Keras's own kernel: the same arguments and roundings in the dtype, with
    NumPy's cos / sin and float64 sums where the backend has its own. Measured on Keras 3.15.1
    over 5 shapes (up to (1024, 1, 513)) and 8 argument sets: |ours - Keras's| <= 1.53 (jax)
    and 1.68 (torch) eps * max|kernel| in float32, <= 0.84 and 0.97 eps * max|kernel| in
    float16 and bfloat16; without a window most elements are equal bit for bit."""
    shape = (256, 1, 129)
    if window == "list":
        window = [float(v) for v in range(1, 257)]
    theirs = np_of(keras.initializers.STFT(side, window, scaling, periodic)(shape, dtype))
    ours = np_of(ki.STFT(side, window, scaling, periodic)(shape, dtype))
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape == shape
    eps = {"float32": 2.0 ** -23, "float16": 2.0 ** -10, "bfloat16": 2.0 ** -7}[dtype]
    wide = theirs.astype(np.float64)
    assert np.abs(ours.astype(np.float64) - wide).max() <= 2 * eps * np.abs(wide).max()
    if window is None and dtype != "float32":
        np.testing.assert_array_equal(ours, theirs)
    # The config Keras writes gives weightinit's STFT, and back.
    config = keras.initializers.STFT(side, window, scaling, periodic).get_config()
    assert ki.STFT.from_config(config).get_config() == config


@pytest.mark.parametrize("name", KERAS_CLASSES)
def test_keras_configs_deserialize_into_weightinit(name):
    """A config Keras 3 wrote for its own class gives the weightinit class, same config."""
    theirs = getattr(keras.initializers, name)(seed=3) if "seed" in inspect.signature(
        getattr(keras.initializers, name).__init__).parameters else \
        getattr(keras.initializers, name)()
    data = keras.initializers.serialize(theirs)
    ours = wk.deserialize(data)
    assert type(ours) is getattr(ki, name)
    expected = {k: v for k, v in data["config"].items()
                if not (k in ("input_axes", "output_axes") and v is None)}
    ours_config = ours.get_config()
    # Keras's Identity writes {} (its gain is not in its config): the default then. The random
    # ones add the stream they draw on.
    assert all(ours_config[k] == v for k, v in expected.items())
    assert set(ours_config) - set(expected) == (
        {"gain"} if name == "Identity" else {"weightinit_stream"} if "seed" in expected
        else set())


def model_with(initializers, dtype=None):
    inputs = keras.Input((6, 6, 3))
    x = keras.layers.Conv2D(4, 3, kernel_initializer=initializers[0],
                            bias_initializer=initializers[1], dtype=dtype)(inputs)
    x = keras.layers.Flatten(dtype=dtype)(x)
    x = keras.layers.Dense(5, kernel_initializer=initializers[2], dtype=dtype)(x)
    x = keras.layers.Dense(4, kernel_initializer=initializers[3], use_bias=False,
                           dtype=dtype)(x)
    x = keras.layers.EinsumDense("ab,bcd->acd", (2, 3), kernel_initializer=initializers[4],
                                 dtype=dtype)(x)
    return keras.Model(inputs, x)


def made_initializers():
    return [ki.GlorotUniform(seed=1), ki.Constant(0.25),
            ki.VarianceScaling(2.0, "fan_avg", "uniform", seed=keras.random.SeedGenerator(9)),
            ki.Orthogonal(gain=1.5, seed=4),
            ki.HeNormal(seed=5, input_axes=[0], output_axes=[1, 2])]


def weights(model):
    return [np_of(w) for w in model.weights]


def initializer_summary(model):
    out = []
    for layer in model.layers:
        for attr in ("kernel_initializer", "bias_initializer"):
            init = getattr(layer, attr, None)
            if init is not None:
                out.append((type(init), init.get_config()))
    return out


def test_save_load_from_config_clone(tmp_path):
    model = model_with(made_initializers())
    before = weights(model)
    summary = initializer_summary(model)
    # The five given (Keras's own "zeros" are the defaults of the unused bias initializers).
    assert sum(cls.__module__ == "weightinit.keras" for cls, _ in summary) == 5
    # The values are weightinit's: the Dense kernel is its initializer's first draw.
    conv = model.layers[1]
    np.testing.assert_array_equal(before[0], np_of(ki.GlorotUniform(seed=1)((3, 3, 3, 4))))
    assert not np.array_equal(before[0],
                              np_of(keras.initializers.GlorotUniform(seed=1)((3, 3, 3, 4))))
    assert conv.kernel_initializer.get_config() == {"seed": 1, **TAG}

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert initializer_summary(loaded) == summary
    for a, b in zip(weights(loaded), before):
        np.testing.assert_array_equal(a, b)
    # Re-initialization from the configs: the same weightinit initializers, the same values.
    for again in (keras.Model.from_config(loaded.get_config()),
                  keras.models.clone_model(loaded), keras.models.clone_model(model)):
        assert initializer_summary(again) == summary
        for a, b in zip(weights(again), before):
            np.testing.assert_array_equal(a, b)


def unregister(monkeypatch):
    """Keras as in a process that has not imported weightinit.keras: no "weightinit>..." name
    registered (the names are those `keras.saving.get_custom_objects()` holds)."""
    objects = keras.saving.get_custom_objects()
    for name in [n for n in objects if n.startswith("weightinit>")]:
        monkeypatch.delitem(objects, name)


RANDOM = [c for c in KERAS_CLASSES if "seed" in inspect.signature(getattr(ki, c)).parameters]


@pytest.mark.parametrize("name", RANDOM)
def test_unknown_registered_name_refused(name, monkeypatch):
    """Keras reads a config whose registered name it does not know as its own class of the
    same class_name: the stream tag makes that class refuse it, instead of drawing Keras's
    values."""
    data = wk.serialize(getattr(ki, name)(seed=1))
    assert data["config"]["weightinit_stream"] == TAG["weightinit_stream"]
    assert type(keras.initializers.deserialize(data)) is getattr(ki, name)
    # A name this weightinit does not have (a newer one's class, a damaged file)...
    bad = dict(data, registered_name="weightinit>Nonexistent")
    with pytest.raises(TypeError, match="unexpected keyword argument 'weightinit_stream'"):
        keras.initializers.get(bad)
    # ... and every name, before weightinit.keras is imported.
    unregister(monkeypatch)
    with pytest.raises(TypeError, match="unexpected keyword argument 'weightinit_stream'"):
        keras.initializers.deserialize(data)


def drop_tags(config):
    """`config` (a model's) without the stream tags: as weightinit wrote it before them."""
    if isinstance(config, dict):
        return {k: drop_tags(v) for k, v in config.items() if k != "weightinit_stream"}
    if isinstance(config, list):
        return [drop_tags(v) for v in config]
    return config


def test_model_files_with_and_without_stream_tags(tmp_path):
    model = model_with(made_initializers())
    before, summary = weights(model), initializer_summary(model)
    path = tmp_path / "model.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    config = json.loads(files["config.json"])
    assert config["config"]["layers"][1]["config"]["kernel_initializer"] == {
        "module": "weightinit.keras", "class_name": "GlorotUniform",
        "config": {"seed": 1, **TAG}, "registered_name": "weightinit>GlorotUniform"}
    # Tagged: the four random initializers (Constant draws nothing).
    assert sum('"weightinit_stream": "v' in json.dumps(v) for v in config["config"]["layers"]) == 4
    # The same file as weightinit wrote it before the tags: the same initializers and values.
    old = tmp_path / "old.keras"
    with zipfile.ZipFile(old, "w") as z:
        for n, data in files.items():
            z.writestr(n, json.dumps(drop_tags(config)) if n == "config.json" else data)
    assert "weightinit_stream" not in json.dumps(drop_tags(config))
    for loaded in (keras.models.load_model(path), keras.models.load_model(old)):
        assert initializer_summary(loaded) == summary
        for again in (loaded, keras.models.clone_model(loaded)):
            for a, b in zip(weights(again), before):
                np.testing.assert_array_equal(a, b)


def test_model_file_refused_without_weightinit(tmp_path, monkeypatch):
    """A model file read before weightinit.keras is imported fails, naming the tag, instead of
    loading with Keras's initializers (which a clone or from_config would then draw from)."""
    path = tmp_path / "model.keras"
    model_with(made_initializers()).save(path)
    unregister(monkeypatch)
    with pytest.raises(TypeError, match="unexpected keyword argument 'weightinit_stream'"):
        keras.models.load_model(path)


def test_seed_generator_follows_its_state():
    gen = keras.random.SeedGenerator(7)
    init = ki.RandomNormal(seed=gen)
    first, second = np_of(init((5, 4))), np_of(init((5, 4)))
    assert not np.array_equal(first, second)
    assert np_of(gen.state).tolist() == [7, 2]  # two calls advanced it twice, as Keras's do
    # State (a, b) is (Philox key, stream id).
    np.testing.assert_array_equal(first, np_of(ki.RandomNormal(seed=7)((5, 4))))
    np.testing.assert_array_equal(
        second, weightinit.new((5, 4), "float32", "normal", (0.0, 0.05), seed=7, stream=1))
    # Another op drawing from the generator moves the initializer on, as in Keras.
    keras.random.normal((1,), seed=gen)
    np.testing.assert_array_equal(
        np_of(init((5, 4))),
        weightinit.new((5, 4), "float32", "normal", (0.0, 0.05), seed=7, stream=3))
    # The config holds the generator's config: a rebuilt initializer starts again at (7, 0).
    config = init.get_config()
    assert config["seed"]["class_name"] == "SeedGenerator"
    np.testing.assert_array_equal(np_of(ki.RandomNormal.from_config(config)((5, 4))), first)


def test_unseeded_follow_set_random_seed():
    keras.utils.set_random_seed(11)
    a = np_of(ki.HeNormal()((6, 6)))
    model_a = weights(model_with([ki.GlorotUniform(), ki.Zeros(), ki.HeUniform(),
                                  ki.Orthogonal(), ki.LecunNormal()]))
    keras.utils.set_random_seed(11)
    np.testing.assert_array_equal(np_of(ki.HeNormal()((6, 6))), a)
    model_b = weights(model_with([ki.GlorotUniform(), ki.Zeros(), ki.HeUniform(),
                                  ki.Orthogonal(), ki.LecunNormal()]))
    for x, y in zip(model_a, model_b):
        np.testing.assert_array_equal(x, y)
    keras.utils.set_random_seed(12)
    assert not np.array_equal(np_of(ki.HeNormal()((6, 6))), a)
    assert ki.HeNormal().get_config() == {"seed": None, **TAG}


def test_seed_arguments():
    np.testing.assert_array_equal(np_of(ki.TruncatedNormal(seed=3)((8,))),
                                  np_of(ki.TruncatedNormal(seed=3)((8,))))
    for bad in ("3", 1.5, [1], b"1"):
        assert_same_error(lambda cls: cls.HeNormal(seed=bad))
    # Keras takes a bool as an int: weightinit refuses it.
    keras.initializers.HeNormal(seed=True)
    with pytest.raises(TypeError, match="^seed: expected an integer, a "
                                        "keras.random.SeedGenerator or None, got bool$"):
        ki.HeNormal(seed=True)


def assert_same_error(make):
    """`make(module)` raises the same exception type and message with Keras's initializers
    and weightinit's."""
    with pytest.raises(Exception) as theirs:
        make(keras.initializers)
    with pytest.raises(type(theirs.value)) as ours:
        make(ki)
    assert type(ours.value) is type(theirs.value)
    assert sorted_sets(str(ours.value)) == sorted_sets(str(theirs.value))



@pytest.mark.parametrize("make", [
    lambda m: m.VarianceScaling(scale=-1.0), lambda m: m.VarianceScaling(scale=0),
    lambda m: m.HeNormal(seed="1"), lambda m: m.VarianceScaling(mode="fan"),
    lambda m: m.VarianceScaling(mode="FAN_IN"), lambda m: m.VarianceScaling(mode=3),
    lambda m: m.VarianceScaling(2.0, "fan_out", "Gaussian"),
    lambda m: m.VarianceScaling(-2.0, "fan", "gaussian"),
    lambda m: m.VarianceScaling(float("nan"), "fan", "gaussian"),
    lambda m: m.Orthogonal()((4,)), lambda m: m.Orthogonal()([]),
    lambda m: m.Identity()((2, 2, 2)), lambda m: m.Identity()([5]),
    lambda m: m.Initializer()((2, 2)),
    lambda m: m.STFT("imag_"), lambda m: m.STFT(scaling="L2"), lambda m: m.STFT(window="nope"),
    lambda m: m.STFT(window=[1.0, 2.0])((3, 1, 5)),
    lambda m: m.get("typo"), lambda m: m.get(3), lambda m: m.get([1]),
    lambda m: m.get({"class_name": "Foo", "config": {}}), lambda m: m.get({"config": {}}),
    lambda m: m.get(np.ones((2, 3)))((3, 2)), lambda m: m.get(keras.ops.ones((2,)))([3]),
], ids=lambda f: f.__code__.co_firstlineno)
def test_keras3_messages(make):
    """Where Keras 3 refuses an argument, weightinit.keras refuses it with Keras's exception
    and message."""
    assert_same_error(make)


def test_get_of_tensors():
    tensor = keras.random.uniform((3, 2), seed=1)
    for values in (tensor, np_of(tensor), np.float32(1.5)):
        ours, theirs = wk.get(values), keras.initializers.get(values)
        for dtype in (None, "float16", "bfloat16"):
            a = ours(np.shape(values), dtype)
            assert keras.ops.is_tensor(a)
            np.testing.assert_array_equal(np_of(a), np_of(theirs(np.shape(values), dtype)))
    # A layer takes it, as it takes Keras's.
    layer = keras.layers.Dense(2, kernel_initializer=wk.get(np_of(tensor)))
    layer.build((None, 3))
    np.testing.assert_array_equal(np_of(layer.kernel), np_of(tensor))


def test_get_of_registered_names():
    """Names and configs of classes registered with keras.saving resolve as in Keras's get:
    weightinit's by their registered names, another package's by theirs."""
    assert type(wk.get("weightinit>HeNormal")) is ki.HeNormal
    assert type(keras.initializers.get("weightinit>HeNormal")) is ki.HeNormal

    @keras.saving.register_keras_serializable(package="weightinit_test")
    class HeNormal(keras.initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return keras.ops.ones(shape, dtype)

    try:
        data = keras.initializers.serialize(HeNormal())
        assert data["registered_name"] == "weightinit_test>HeNormal"
        assert type(wk.get(data)) is type(keras.initializers.get(data)) is HeNormal
        assert type(wk.get("weightinit_test>HeNormal")) is HeNormal
        # A Keras config of the same class name is weightinit's.
        assert type(wk.get(dict(data, registered_name=None))) is ki.HeNormal
    finally:
        del keras.saving.get_custom_objects()["weightinit_test>HeNormal"]


def test_input_output_axes():
    # Keras 3's fans with explicit axes: (512, 8, 64), in [0], out [1, 2] -> 512 and 512
    # (TF's default rule would give 512 * 8 = 4096 and 64 * 8 = 512).
    init = ki.VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=2,
                              input_axes=[0], output_axes=[1, 2])
    np.testing.assert_array_equal(
        np_of(init((512, 8, 64))),
        weightinit.new((512, 8, 64), "float32", "normal", (0.0, math.sqrt(2.0 / 512)), seed=2))
    default = ki.VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=2)
    np.testing.assert_array_equal(
        np_of(default((512, 8, 64))),
        weightinit.new((512, 8, 64), "float32", "normal", (0.0, math.sqrt(2.0 / 4096)), seed=2))
    # Only one list given: Keras ignores it (its default fans).
    np.testing.assert_array_equal(
        np_of(ki.VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=2,
                                 input_axes=[0])((512, 8, 64))),
        np_of(default((512, 8, 64))))
    assert init.get_config()["input_axes"] == [0]
    assert ki.GlorotNormal(seed=1, input_axes=[-1], output_axes=[0]).get_config() == {
        "seed": 1, "input_axes": [-1], "output_axes": [0], **TAG}
    with pytest.raises(ValueError, match="input_axes: axis 3 is out of range"):
        ki.HeNormal(input_axes=[3], output_axes=[0])((4, 4))
    with pytest.raises(TypeError, match="output_axes: expected a list of integers"):
        ki.HeNormal(input_axes=[0], output_axes="1")


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_layers(dtype):
    model = model_with(made_initializers(), dtype=dtype)
    kernel = model.layers[1].kernel
    assert keras.backend.standardize_dtype(kernel.dtype) == dtype
    np.testing.assert_array_equal(np_of(kernel),
                                  np_of(ki.GlorotUniform(seed=1)((3, 3, 3, 4), dtype)))
    assert np_of(kernel).dtype.name == dtype


def test_mixed_precision_layers(tmp_path):
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    model = model_with(made_initializers())
    dense = model.layers[3]
    assert dense.compute_dtype == "float16" and dense.variable_dtype == "float32"
    assert keras.backend.standardize_dtype(dense.kernel.dtype) == "float32"
    kernel = np_of(model.layers[1].kernel)
    np.testing.assert_array_equal(kernel, np_of(ki.GlorotUniform(seed=1)((3, 3, 3, 4))))
    path = tmp_path / "mixed.keras"
    model.save(path)
    keras.mixed_precision.set_dtype_policy("float32")
    loaded = keras.models.load_model(path)
    assert loaded.layers[3].dtype_policy.name == "mixed_float16"
    np.testing.assert_array_equal(np_of(keras.models.clone_model(loaded).layers[1].kernel),
                                  kernel)


def test_floatx_is_the_default_dtype():
    keras.config.set_floatx("float64")
    try:
        assert keras.backend.standardize_dtype(ki.LecunUniform(seed=1)((3,)).dtype) == \
            keras.backend.standardize_dtype(keras.ops.zeros((1,)).dtype)
    finally:
        keras.config.set_floatx("float32")
