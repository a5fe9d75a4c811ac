"""Which text encoding a file is in: UTF-8 (with or without BOM), else GB18030 or charset-normalizer's guess.

Chinese offices export CSV from Excel and DBF from ArcGIS/SuperMap in GBK (code page 936) as often as in
UTF-8. A declared ``encoding:`` always wins; otherwise UTF-8 is tried first (it almost never decodes
text that is not UTF-8), then charset-normalizer, preferring GB18030 when it reads as cleanly as any
other of its guesses (a few short Chinese words decode as Korean or Big5 just as well). GB18030 is the
superset of GB2312 and GBK, so a rarer character later in the file does not fail to decode.

Light on purpose (no pandas, no geopandas): ``urbanrisk validate`` uses it.

Examples
--------
>>> detect_encoding("名称,类型\\n中国石化,加油站\\n".encode("utf-8"))
'utf-8'
>>> detect_encoding("\\ufeffid,名称\\n".encode("utf-8"))
'utf-8-sig'
>>> detect_encoding("编号,名称,类型,等级\\n1,中国石化五道口加油站,加油站,三级\\n".encode("gbk") * 3)
'gb18030'
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from .._errors import LayerError

#: How much of a file is read to tell its encoding.
SAMPLE_BYTES = 1 << 20
_GB = ("gb2312", "gbk", "gb18030", "hz", "cp936", "euc_cn")
#: how much worse (charset-normalizer's "chaos", 0-1) GB18030 may read than the best guess and still win
CHAOS_MARGIN = 0.1


def _is_utf8(data: bytes, *, complete: bool) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM: "utf-16-le" or "utf-16-be" when its NULs (the high bytes of Latin
    letters, digits and commas) fall on every other byte; else None.

    >>> _utf16_without_bom("name,lon,a,116.3".encode("utf-16-le")), _utf16_without_bom(b"a,1,b,2")
    ('utf-16-le', None)
    """
    sample = data[:65536]
    nuls = sample.count(0)
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # with its BOM: told as utf_16
        return None
    if len(sample) < 8 or nuls < len(sample) // 8:
        return None
    odd = sample[1::2].count(0)
    if odd >= 0.95 * nuls:
        return "utf-16-le"
    if nuls - odd >= 0.95 * nuls:
        return "utf-16-be"
    return None


def detect_encoding(data: bytes, *, complete: bool = True) -> str | None:
    """The encoding of ``data`` as a Python codec name, or None when it cannot be told.

    ``complete`` says whether ``data`` is the whole file (else a character cut at its end is fine).
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if (wide := _utf16_without_bom(data)) is not None:  # Latin text in UTF-16 is valid UTF-8, NULs and all
        return wide
    if _is_utf8(data, complete=complete):
        return "utf-8"
    from charset_normalizer import from_bytes  # only when the text is not UTF-8

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = min(match.chaos for match in matches)
    # short Chinese text decodes as several East-Asian code pages alike: prefer GB18030 when it reads as
    # cleanly as the best guess (this is a tool for mainland Chinese data)
    if any(m.encoding in _GB and m.chaos <= best + CHAOS_MARGIN for m in matches):
        return "gb18030"
    name = next(m.encoding for m in matches if m.chaos == best)
    return "big5hkscs" if name in ("big5", "cp950") else name


def mixed_utf8_lines(data: bytes, *, complete: bool = True) -> tuple[list[int], list[int]]:
    """Lines (from 1) of ``data`` that are Chinese in UTF-8, and lines that are not UTF-8 at all.

    Both non-empty: the file mixes encodings (a UTF-8 registry with rows pasted from a GBK one). Read
    as GB18030 its UTF-8 rows would turn to garbage without an error (站一 -> 绔欎竴). A line counts as
    UTF-8 Chinese with two or more CJK characters, which GBK bytes almost never form by chance.

    >>> mixed_utf8_lines("id,名称\\n1,站一\\n".encode() + "2,第三\\n".encode("gbk"))
    ([1, 2], [3])
    """
    utf8, other = [], []
    lines = data.split(b"\n")
    for number, line in enumerate(lines if complete else lines[:-1], start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(number)
            continue
        if sum("\u4e00" <= ch <= "\u9fff" for ch in text) >= 2:
            utf8.append(number)
    return utf8, other


#: Unicode blocks a two-byte UTF-8 sequence reaches beyond Latin (IPA to NKo): GBK text whose bytes happen to
#: be valid UTF-8 reads as letters of several of them at once (医院 -> ҽԺ, Cyrillic and Armenian)
_BLOCKS = (
    0x0250,
    0x02B0,
    0x0300,
    0x0370,
    0x0400,
    0x0530,
    0x0590,
    0x0600,
    0x0700,
    0x0750,
    0x0780,
    0x07C0,
    0x0800,
)


def gbk_read_as_utf8(data: bytes, *, complete: bool = True) -> list[tuple[int, str, str]]:
    """Lines (from 1) of ``data`` (valid UTF-8) that are GBK text whose bytes happen to form UTF-8 (a
    registry saved in GBK, or rows of one pasted into a UTF-8 file behind a BOM), read as garbage without
    an error. Each line's number, its odd letters and their GB18030 reading.

    A line counts when its GB18030 reading is Chinese and, read as UTF-8, either (a) a word of it mixes two
    scripts beyond Latin (Cyrillic beside Armenian: 医院 -> ҽԺ), or (b) it is GBK-shaped (:func:`_gbk_shaped`:
    no Chinese, every letter beyond ASCII a two-byte one whose second byte GB2312 uses, one of them beyond
    Latin), which catches one character (院 -> Ժ) and words of one script (学校 -> ѧУ). (b) is not applied
    to a file holding a letter beyond Latin that GB2312 cannot form (a second byte below A1: Russian р-я,
    Greek π-ω, Hebrew א-ן): that file has real text in those alphabets.

    >>> gbk_read_as_utf8("id,名称\\n1,站一\\n".encode() + "2,医院\\n".encode("gbk"))
    [(3, 'ҽԺ', '医院')]
    >>> gbk_read_as_utf8("id,名称\\n1,站一\\n".encode() + "2,院\\n".encode("gbk"))
    [(3, 'Ժ', '院')]
    >>> gbk_read_as_utf8("1,Пожарная часть,Ереван\\n".encode())  # Russian is one script a word
    []
    """
    lines = data.split(b"\n")
    read = []
    for number, line in enumerate(lines if complete else lines[:-1], start=1):
        if line.isascii():
            continue
        try:
            read.append((number, line, line.decode("utf-8-sig" if number == 1 else "utf-8")))
        except UnicodeDecodeError:
            continue
    foreign = any(_FOREIGN.search(text) for *_, text in read)
    found = []
    for number, line, text in read:
        try:
            chinese = line.removeprefix(codecs.BOM_UTF8).decode("gb18030")
        except UnicodeDecodeError:
            continue
        if not all(
            ch.isascii() or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in chinese
        ):
            continue
        if any(len({_block(ch) for ch in word}) > 1 for word in _words(text)):
            odd = "".join(ch for ch in text if _BLOCKS[0] <= ord(ch) < _BLOCKS[-1])
        elif not foreign and _gbk_shaped(text):
            odd = "".join(ch for ch in text if 0x80 <= ord(ch) < 0x800)
        else:
            continue
        found.append((number, odd, "".join(ch for ch in chinese if not ch.isascii())))
    return found


#: the first code point past GB2312's level-1 characters read as UTF-8 (lead bytes C2-D7; D8-F7 are the
#: rare level-2 ones, and read as UTF-8 they are Arabic, Syriac, Thaana, NKo: honest text in those alphabets)
_LEVEL1_END = 0x0600
_GREEK = range(0x0370, 0x0400)
#: letters beyond Latin whose second UTF-8 byte is below A1: no GB2312 character reads as one of them
_FOREIGN = re.compile(
    "[" + "".join(f"{chr(max(b, _BLOCKS[0]))}-{chr(b + 0x20)}" for b in range(0x240, _BLOCKS[-1], 0x40)) + "]"
)
_BEYOND_TWO_BYTES = re.compile("[\u0800-\ufefe\uff00-\U0010ffff]")


def _gbk_shaped(text: str) -> bool:
    """Whether a line read as UTF-8 looks like GBK's common characters: beyond ASCII only two-byte letters
    (no Chinese) below U+0600, each of a second byte A1-BF (where GB2312's level-1 characters and UTF-8
    meet), one at least beyond Latin (Latin-1 alone is ° ² ³ · é of honest text), none beside an ASCII
    letter (50 μg), and not only lone Greek letters (α, μ, Ω as signs).

    >>> _gbk_shaped("1,Ժ,116.3"), _gbk_shaped("1,ѧУ,116.3"), _gbk_shaped("2,Уфа,55.9"), _gbk_shaped("3,50 μg")
    (True, True, False, False)
    >>> _gbk_shaped("4,μ,1"), _gbk_shaped("5,باب,1"), _gbk_shaped("6,m³,1"), _gbk_shaped("7,Ȫ,1")
    (False, False, False, True)
    """
    if _BEYOND_TWO_BYTES.search(text):  # Chinese in UTF-8 (or any letter of three bytes): honest
        return False
    odd = [i for i, ch in enumerate(text) if not ch.isascii() and ch != "\ufeff"]
    if not odd or any(not 0x80 <= ord(text[i]) < _LEVEL1_END or ord(text[i]) & 0x3F < 0x21 for i in odd):
        return False
    beside = [text[j] for i in odd for j in (i - 1, i + 1) if 0 <= j < len(text)]
    if any(ch.isascii() and ch.isalpha() for ch in beside):
        return False
    if any(ord(text[i]) >= _BLOCKS[0] for i in odd):  # beyond Latin
        return not all(len(run) == 1 and ord(run) in _GREEK for run in _words(text))
    # Latin Extended (Ā-ɏ) standing alone: Polish, Czech, Vietnamese write it inside words
    return any(ord(text[i]) >= 0x100 for i in odd) and not any(ch.isascii() and ch.isalnum() for ch in beside)


def _block(ch: str) -> int:
    return next(i for i, end in enumerate(_BLOCKS[1:]) if ord(ch) < end)


def _words(text: str) -> list[str]:
    """Runs of letters beyond Latin (IPA to NKo) in ``text``."""
    runs, run = [], ""
    for ch in text:
        if _BLOCKS[0] <= ord(ch) < _BLOCKS[-1]:
            run += ch
        elif run:
            runs, run = [*runs, run], ""
    return [*runs, run] if run else runs


def _lines_text(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:5]))
    more = f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
    return ("line " if len(numbers) == 1 else "lines ") + shown + more


def check_encoding(name: str, *, layer: str) -> str:
    """A declared ``encoding:`` as a codec name Python knows, else a clear error."""
    try:
        info = codecs.lookup(name)
        if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib: a LookupError traceback
            raise LookupError(name)
        return info.name
    except (LookupError, ValueError) as exc:  # ValueError: a NUL in the name
        msg = f"layer '{layer}': unknown encoding {name!r} in `encoding:`; use e.g. utf-8, gbk or gb18030"
        raise LayerError(msg) from exc


def _bom_over_other(data: bytes, complete: bool, path: str | Path, layer: str) -> str | None:
    """The refusal of a file with a UTF-8 BOM whose text is not UTF-8 (a tool put the BOM before GBK
    text: it was refused as "not utf-8-sig text (byte 0 cannot be read)"); None when it is UTF-8."""
    rest = data.removeprefix(codecs.BOM_UTF8)
    if _is_utf8(rest, complete=complete):
        return None
    utf8, other = mixed_utf8_lines(data, complete=complete)
    if utf8 and other:
        return None  # said as a mix of encodings
    try:
        rest.decode("gb18030")
        named = "GBK / GB18030"
    except UnicodeDecodeError:
        named = "another encoding"
    line = data[: len(data) - len(rest) + _first_bad(rest)].count(b"\n") + 1
    return (
        f"layer '{layer}': {path} starts with a UTF-8 BOM but its text is {named}, not UTF-8 (from line "
        f"{line}): save the whole file in UTF-8 (in Excel: Save As, CSV UTF-8), or remove the BOM and say "
        "encoding: gbk"
    )


def _first_bad(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return len(data)


def file_encoding(path: str | Path, *, declared: str | None, layer: str) -> str:
    """The encoding to read a text file with: ``declared`` if given, else detected from its first MB.

    Raises
    ------
    LayerError
        When the encoding cannot be told (the message says to declare it).
    """
    if declared:
        return check_encoding(declared, layer=layer)
    with open(path, "rb") as handle:
        data = handle.read(SAMPLE_BYTES + 1)
    complete = len(data) <= SAMPLE_BYTES
    found = detect_encoding(data[:SAMPLE_BYTES], complete=complete)
    if found not in ("utf-8", "utf-8-sig"):  # None too: a mix is why it cannot be told
        utf8, other = mixed_utf8_lines(data[:SAMPLE_BYTES], complete=complete)
        if utf8 and other:
            msg = (
                f"layer '{layer}': {path} mixes text encodings: {_lines_text(utf8)} in UTF-8, "
                f"{_lines_text(other)} not (GBK?); read either way one part would be garbled: save "
                "the whole file in one encoding (in Excel: Save As, CSV UTF-8)"
            )
            raise LayerError(msg)
    if found == "utf-8-sig" and (told := _bom_over_other(data[:SAMPLE_BYTES], complete, path, layer)):
        raise LayerError(told)
    if found in ("utf-8", "utf-8-sig") and (
        garbled := gbk_read_as_utf8(data[:SAMPLE_BYTES], complete=complete)
    ):
        _, odd, chinese = garbled[0]
        msg = (
            f"layer '{layer}': {path}: {_lines_text([g[0] for g in garbled])} read as UTF-8 give stray "
            f"letters of other alphabets ('{odd}'), which is GBK text read as UTF-8 ('{chinese}' in GBK): "
            "save the whole file in UTF-8 (in Excel: Save As, CSV UTF-8), or if all of it is GBK, remove its "
            "BOM and say so (encoding: gbk)"
        )
        raise LayerError(msg)
    if found is None:
        msg = (
            f"layer '{layer}': cannot tell the text encoding of {path}; say which it is with "
            "`encoding:` in the recipe (e.g. encoding: gbk), or save the file as UTF-8"
        )
        raise LayerError(msg)
    return found


def wrong_encoding_hint(path: str | Path, layer: str) -> str:
    """What to add to the refusal of a file that is not the text its declared ``encoding:`` says, when
    the file tells its own (a GBK file declared utf-8): ``: it reads as gb18030: ...``; else ""."""
    try:
        found = file_encoding(path, declared=None, layer=layer)
        Path(path).read_bytes().decode(found)
    except (LayerError, UnicodeDecodeError, LookupError, OSError):
        return ""
    return f"; it reads as {found}: set `encoding: {found}`, or leave `encoding:` out (it is detected)"
