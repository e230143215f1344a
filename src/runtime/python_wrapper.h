// The Python side of the job protocol (version 1): load ./main.py, bind ./args.json to
// main's parameters by keyword, write the return value (or the exception) to ./result.json.
#pragma once

namespace millrace::runtime {

inline constexpr const char* kPythonWrapperV1 = R"py(
import base64, datetime, importlib.util, inspect, json, math, sys, traceback

def _sanitize(v):
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, dict):
        return {str(k): _sanitize(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_sanitize(x) for x in v]
    return v

def _default(v):
    if isinstance(v, (bytes, bytearray)):
        return base64.b64encode(v).decode()
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    if isinstance(v, set):
        return list(v)
    return str(v)

def _convert(value, annotation):
    if value is None:
        return None
    try:
        if annotation is bytes and isinstance(value, str):
            return base64.b64decode(value)
        if annotation is datetime.datetime and isinstance(value, str):
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if annotation is datetime.date and isinstance(value, str):
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    return value

def _write(text):
    with open("result.json", "w", encoding="utf-8") as f:
        f.write(text)

def _run():
    with open("args.json", encoding="utf-8") as f:
        args = json.load(f)
    sys.path.insert(0, ".")
    spec = importlib.util.spec_from_file_location("main", "main.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["main"] = module
    spec.loader.exec_module(module)
    if not hasattr(module, "main"):
        raise NameError("the script has no main function")
    fn = module.main
    params = inspect.signature(fn).parameters
    kwargs = {}
    takes_rest = False
    for name, p in params.items():
        if p.kind == p.VAR_KEYWORD:
            takes_rest = True
            continue
        if p.kind == p.VAR_POSITIONAL:
            continue
        if name in args:
            kwargs[name] = _convert(args[name], p.annotation)
        elif p.default is p.empty:
            kwargs[name] = None
    if takes_rest:
        for k, v in args.items():
            if k not in params:
                kwargs[k] = v
    result = fn(**kwargs)
    if inspect.iscoroutine(result):
        import asyncio
        result = asyncio.run(result)
    try:
        text = json.dumps(result, default=_default, ensure_ascii=False, allow_nan=False)
    except ValueError:
        text = json.dumps(_sanitize(result), default=_default, ensure_ascii=False)
    _write(text)

try:
    _run()
except BaseException as e:
    stack = traceback.format_exc()
    sys.stderr.write(stack)
    sys.stderr.flush()
    _write(json.dumps({"name": type(e).__name__, "message": str(e), "stack": stack},
                      default=str, ensure_ascii=False))
    sys.exit(1)
)py";

}  // namespace millrace::runtime
