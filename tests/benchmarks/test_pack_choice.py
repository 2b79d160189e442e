"""benchmarks/pack_choice.py: the pack each path picks on sentences of known language, and its cost (a small run)."""

from __future__ import annotations

import os

import pytest

from benchmarks import pack_choice
from benchmarks.extraction import DEFAULT_DATA


def test_a_small_run_scores_both_paths_and_times_them(tmp_path, capsys):
    if not DEFAULT_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI has ../shared beside the clone; missing {DEFAULT_DATA}")
        pytest.skip("../shared/benchmarks not beside this checkout")
    data = tmp_path / "sentences"
    data.mkdir()
    # written for this test: the right pack of the first two is the common one (no az or be pack)
    (data / "az.txt").write_text("\n".join([
        "Bakıda bu gün bələdiyyə iclası keçirildi və şəhərin yeni büdcəsi uzun müzakirədən sonra qəbul edildi.",
        "Sakinlər yolların təmiri üçün əlavə vəsait ayrılmasını tələb etdilər, deputatlar isə bunu vəd etdilər.",
    ] * 4), encoding="utf-8")
    (data / "be.txt").write_text("\n".join([
        "Сёння ў Мінску адбылося пасяджэнне гарадскога савета, на якім быў прыняты новы бюджэт горада.",
        "Жыхары патрабавалі дадатковых сродкаў на рамонт дарог і школ, і дэпутаты паабяцалі вярнуцца да гэтага.",
    ] * 4), encoding="utf-8")
    (data / "de.txt").write_text("\n".join([
        "Der Stadtrat hat am Dienstag nach einer langen Debatte über Schulen und Straßen den Haushalt beschlossen.",
        "Kritiker sagten, der Plan lasse zu wenig Geld für die Instandhaltung übrig, und verlangten eine Abstimmung.",
    ] * 4), encoding="utf-8")
    assert pack_choice.main(["--data", str(data), "--corpus-dir", str(tmp_path / "corpus"), "--corpus-docs", "6"]) == 0
    out = capsys.readouterr().out
    accuracy = out.split("accuracy:")[1].split("cost:")[0]
    shares: dict[tuple[str, int], float] = {}
    block = -1
    for line in accuracy.splitlines():
        if line.startswith("  ") and not line.startswith("    "):  # "  single sentences: ...", "  3-sentence texts: ..."
            block += 1
        elif line.startswith("    "):
            shares[(line.split()[0], block)] = float(line.split()[-1])
    assert "the right pack, held-out part of 3 language files" in accuracy
    # fastText knows Azerbaijani and Belarusian: every held-out text gets its right pack; py3langid alone
    # names the neighbours' packs (Turkish, Russian) and gets the German ones only
    assert shares[("fastText", 0)] == shares[("fastText", 1)] == 1.0
    assert shares[("py3langid", 0)] < 0.5 and shares[("py3langid", 1)] < 0.5
    assert "cost: RulePacks.detect on the first 6 throughput-corpus documents" in out
    assert "fastText first / py3langid alone, same run:" in out
