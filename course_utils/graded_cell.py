"""What a check cell restored by `course check` runs inside the learner's kernel: the master's check source against
fresh, private copies of the course's checkers, and its results signed with the key only that cell was given.

The grader loads this module (with the whole package) under a new name for every cell, by path, so that nothing a
learner's cell rebound or patched in `course_utils` is used; `sealed_source` writes the cell that does so.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import importlib
import json
import re

MIME = "application/vnd.course.graded+json"
LESSON_MODULE = re.compile(r"\b(lesson\d+)\b")
PUBLIC = "course_utils"

BOOTSTRAP = '''\
# Restored by `course check` from the course's master copy; only this cell's signed result is counted.
def _course_check(package, name, key, cell, source):
    import importlib, importlib.util, sys
    spec = importlib.util.spec_from_file_location(name, package + "/__init__.py", submodule_search_locations=[package])
    private = importlib.util.module_from_spec(spec)
    sys.modules[name] = private
    spec.loader.exec_module(private)
    importlib.import_module(name + ".graded_cell").run(globals(), name, key, cell, source)
_course_check({package!r}, {name!r}, {key!r}, {cell!r}, {source!r})
del _course_check
'''


def sealed_source(package_dir: str, private_name: str, key: str, cell: str, source: str) -> str:
    """The code of a restored check cell: load a private copy of the package from `package_dir` and run `source`."""
    return BOOTSTRAP.format(package=package_dir, name=private_name, key=key, cell=cell, source=source)


def signature(key: str, payload: dict) -> str:
    body = json.dumps({k: v for k, v in payload.items() if k != "signature"}, sort_keys=True)
    return hmac.new(bytes.fromhex(key), body.encode(), hashlib.sha256).hexdigest()


def _importer(private: str):
    """`import course_utils...` inside the restored source loads the private copy instead."""
    real = builtins.__import__

    def load(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == PUBLIC or name.startswith(PUBLIC + ".")):
            name = private + name[len(PUBLIC):]
        return real(name, globals, locals, fromlist, level)

    return load


def _checkers(module) -> list:
    return [fn for fn in vars(module).values() if callable(fn) and isinstance(getattr(fn, "exercise", None), str)]


def run(user_ns: dict, private: str, key: str, cell: str, source: str) -> None:
    """Run the master's check source with the learner's names, on private checkers; display the signed results."""
    from IPython.display import display

    modules = {name: importlib.import_module(f"{private}.exercises.{name}")
               for name in dict.fromkeys(LESSON_MODULE.findall(source))}
    namespace = {**user_ns, **modules, "__builtins__": {**vars(builtins), "__import__": _importer(private)}}
    error = None
    try:
        exec(compile(source, f"<check cell {cell}>", "exec"), namespace)
    except Exception as exc:  # a missing answer (NameError) and the like: the grader reports it as that check's failure
        error = f"{type(exc).__name__}: {exc}"
    results = [fn.last.as_dict() for module in modules.values() for fn in _checkers(module) if fn.last is not None]
    payload = {"cell": cell, "results": results, "error": error}
    payload["signature"] = signature(key, payload)
    display({MIME: payload, "text/plain": f"(check cell {cell}: {len(results)} result(s) recorded for grading)"},
            raw=True)
