"""More of the message catalogue of :mod:`urbanrisk.outputs.i18n`: what a recipe check says of a
``compute.store`` the run could not write its stores to (see :mod:`urbanrisk.recipe.store_check`).
Templates merged into :data:`urbanrisk.outputs.i18n_checks.ZH_CHECKS`; light (validate reads them).

Examples
--------
>>> from urbanrisk.outputs.i18n_checks import check_text
>>> check_text("r.yaml:7: compute.store: /data/ro cannot be written (read-only): give compute.store "
...            "a folder you can write to", "zh")
'r.yaml:7: compute.store: /data/ro 无法写入（只读）：请为 compute.store 指定一个可写入的文件夹'
"""

from __future__ import annotations

ZH_STORE_CHECKS: dict[str, str] = {
    "the store is empty: name a folder or an fsspec URL all workers can write, or remove "
    "compute.store (a temporary folder is used)": (
        "存储位置为空：请指定所有工作进程都能写入的文件夹或 fsspec URL，"
        "或删除 compute.store（将使用临时文件夹）"
    ),
    "{url} cannot be written (fsspec's {protocol} only reads): give a folder or a URL that fsspec can "
    "write (s3://bucket/prefix, with s3fs installed)": (
        "{url} 无法写入（fsspec 的 {protocol} 只能读取）：请给出文件夹或 fsspec 可写入的 URL"
        "（如 s3://bucket/prefix，需安装 s3fs）"
    ),
    "{folder} is inside outputs.dir ({runs}), among the runs (history, keep and publish read that "
    "folder): give compute.store a folder outside it": (
        "{folder} 位于 outputs.dir（{runs}）之内，与各次运行结果混在一起（history、keep 和 publish "
        "都会读取该文件夹）：请为 compute.store 指定其外的文件夹"
    ),
    "{path} is a file, not a folder: compute.store is the folder the layer stores are written to; "
    "give a folder's path (it is made if missing)": (
        "{path} 是文件而不是文件夹：compute.store 是写入图层存储的文件夹；"
        "请给出文件夹路径（不存在时会自动创建）"
    ),
    "{path} cannot be written (read-only): give compute.store a folder you can write to": (
        "{path} 无法写入（只读）：请为 compute.store 指定一个可写入的文件夹"
    ),
}
