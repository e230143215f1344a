# The Python side of the job protocol (version 1), run as `python3 -u -I wrapper_v1.py`: loads
# ./main.py, binds ./args.json to main's parameters by keyword, and writes the return value (or
# the exception) to ./result.json. With --warm it serves one job after another instead
# (src/runtime/warm_interpreter.h describes that protocol). Embedded in the server at build time.
#
# Every millisecond here is paid by every job, so the happy path imports only sys and the C
# accelerator _json (the json package would pull in re and enum: ~5 ms).
import sys

try:
    import _json

    class _ScanContext:
        strict = True
        object_hook = None
        object_pairs_hook = None
        parse_float = float
        parse_int = int
        memo = {}

        @staticmethod
        def parse_constant(name):
            return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}[name]

    _scan = _json.make_scanner(_ScanContext)

    def _loads(text):
        return _scan(text.lstrip(), 0)[0]

    def _dumps(value, allow_nan):
        encode = _json.make_encoder({}, _default, _json.encode_basestring, None, ": ", ", ",
                                    False, False, allow_nan)
        return "".join(encode(value, 0))
except (ImportError, AttributeError):
    import json

    def _loads(text):
        return json.loads(text)

    def _dumps(value, allow_nan):
        return json.dumps(value, default=_default, ensure_ascii=False, allow_nan=allow_nan)

def _sanitize(v):
    if isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
        return None
    if isinstance(v, dict):
        return {str(k): _sanitize(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_sanitize(x) for x in v]
    return v

def _default(v):
    if isinstance(v, (bytes, bytearray)):
        import base64
        return base64.b64encode(v).decode()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, (set, frozenset)):
        return list(v)
    return str(v)

def _convert(value, annotation):
    if value is None or not isinstance(value, str):
        return value
    try:
        if annotation is bytes:
            import base64
            return base64.b64decode(value)
        if getattr(annotation, "__module__", None) == "datetime":
            import datetime
            if annotation is datetime.datetime:
                return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if annotation is datetime.date:
                return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    return value

def _write(text):
    with open("result.json", "w", encoding="utf-8") as f:
        f.write(text)

def _kwargs(fn, args):
    code = fn.__code__
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    positional_defaults = fn.__defaults__ or ()
    first_default = code.co_argcount - len(positional_defaults)
    kw_defaults = fn.__kwdefaults__ or {}
    annotations = getattr(fn, "__annotations__", {}) or {}
    kwargs = {}
    for i, name in enumerate(names):
        if name in args:
            kwargs[name] = _convert(args[name], annotations.get(name))
        elif not (i >= first_default and i < code.co_argcount) and name not in kw_defaults:
            kwargs[name] = None  # a required argument that was not sent
    if code.co_flags & 0x08:  # **kwargs takes everything else
        for k, v in args.items():
            if k not in kwargs:
                kwargs[k] = v
    return kwargs

def _load():
    import types
    module = types.ModuleType("main")
    module.__file__ = "main.py"
    sys.modules["main"] = module
    with open("main.py", encoding="utf-8") as f:
        source = f.read()
    exec(compile(source, "main.py", "exec"), module.__dict__)
    return module

# A trigger's event goes to the script's `preprocessor` first; main gets the arguments it
# returns (Windmill's preprocessors).
def _preprocessed(module, args):
    fn = getattr(module, "preprocessor", None)
    if fn is None:
        raise NameError("the script has no preprocessor function")
    result = fn(**_kwargs(fn, args))
    if type(result).__name__ == "coroutine":
        import asyncio
        result = asyncio.run(result)
    if not isinstance(result, dict):
        raise TypeError("the preprocessor must return a dict of main's arguments, not "
                        + type(result).__name__)
    return result

# Not streamed when returned: containers and values that merely can be iterated.
_NOT_STREAMS = (str, dict, list, bytes, tuple, set, frozenset, range, memoryview, bytearray)

def _call(module, args, preprocess=False):
    if preprocess:
        args = _preprocessed(module, args)
    fn = getattr(module, "main", None)
    if fn is None:
        if preprocess:  # a preprocessor alone (a flow's preprocessor step) answers what it made
            return _dumps(args, False)
        raise NameError("the script has no main function")
    result = fn(**_kwargs(fn, args))
    if type(result).__name__ == "coroutine":
        import asyncio
        result = asyncio.run(result)
    if hasattr(result, "__iter__") and not isinstance(result, _NOT_STREAMS) \
            and type(result).__name__ != "DataFrame":
        # A generator streams its result (Windmill's result streaming): each piece, a string,
        # is a `WM_STREAM: ` line; the server joins them into the result.
        for chunk in result:
            print("WM_STREAM: " + chunk.replace("\n", "\\n"), flush=True)
        result = None
    try:
        return _dumps(result, False)
    except ValueError:  # NaN or infinity somewhere: JSON has no such numbers
        return _dumps(_sanitize(result), False)

def _error(e):
    import traceback
    # The stack starts at the user's code: this wrapper's frames (the first ones) are left out.
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    stack = "".join(traceback.format_exception(type(e), e, tb))
    sys.stderr.write(stack)
    sys.stderr.flush()
    return _dumps({"name": type(e).__name__, "message": str(e), "stack": stack}, False)

# Millrace's `wmill` module, written by the server beside this file (python/wmill/).
_CLIENT_FOLDER = __file__.rpartition("/")[0] + "/python"

# The script's folder first, then the packages of its lock (--path=<folder>, one per package,
# before the system's own), and wmill last.
_OPTIONS = sys.argv[1:]
def _set_path():
    sys.path.insert(0, ".")
    sys.path[1:1] = [a[len("--path="):] for a in _OPTIONS if a.startswith("--path=")]
    sys.path.append(_CLIENT_FOLDER)

# Cold: one job, from ./args.json to ./result.json.
def _run():
    with open("args.json", encoding="utf-8") as f:
        args = _loads(f.read())
    _set_path()
    _write(_call(_load(), args, "--preprocess" in _OPTIONS))

# Warm (the server's warm_interpreter.h): one job per request on stdin, each in its own folder
# with its own environment; main.py is loaded by the first job that gets that far.
def _serve():
    import os
    _set_path()
    requests = sys.stdin.buffer
    module = None
    while True:
        header = requests.readline()
        if not header:
            return  # the server is done with this interpreter
        request = _loads(requests.read(int(header)).decode("utf-8"))
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        try:
            if module is None:
                module = _load()
            kind, text = b"ok", _call(module, request["args"], request.get("preprocess", False))
        except BaseException as e:
            kind, text = b"err", _error(e)
        sys.stdout.flush()
        sys.stderr.flush()
        data = text.encode("utf-8", "replace")
        view = memoryview(b"%s %d\n" % (kind, len(data)) + data)
        while view:
            view = view[os.write(3, view):]

if "--warm" in _OPTIONS:
    _serve()
else:
    try:
        _run()
    except BaseException as e:
        _write(_error(e))
        sys.exit(1)
