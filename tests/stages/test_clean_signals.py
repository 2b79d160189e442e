"""Language-free signals of the clean stage (issue 24): captions by form, repetition, related blocks by
structure, end of article, learned per-source statistics; the A/B probe's vocabularies are disjoint."""

from __future__ import annotations

from benchmarks.multilingual_ab_forms import AB
from pipeline.document import Document
from pipeline.stages.clean import Clean, CleanConfig, clean_text, load_packs
from pipeline.stages.clean.captions_by_form import caption_closing, caption_opening, load_lexicon
from pipeline.stages.clean.repetition import SourceStats

P1 = ("Η κυβέρνηση ανακοίνωσε σήμερα νέα μέτρα για τη στήριξη των νοικοκυριών, τα οποία θα ισχύσουν από τον "
      "επόμενο μήνα. Οι αρμόδιοι υπουργοί παρουσίασαν τις λεπτομέρειες σε συνέντευξη Τύπου.")
P2 = ("Σύμφωνα με τις πρώτες εκτιμήσεις, το κόστος των μέτρων θα ξεπεράσει τα δύο δισεκατομμύρια ευρώ. "
      "Η αντιπολίτευση άσκησε κριτική, ζητώντας περισσότερη στήριξη για τους συνταξιούχους.")
P3 = ("Οι οικονομολόγοι εκτιμούν ότι ο πληθωρισμός θα υποχωρήσει σταδιακά μέσα στη χρονιά, εφόσον οι τιμές "
      "της ενέργειας παραμείνουν σταθερές. Η κεντρική τράπεζα θα εξετάσει το θέμα τον επόμενο μήνα.")


def test_probe_splits_are_disjoint() -> None:
    for lang, fields in AB.items():
        for name, pair in fields.items():
            if name != "names":
                a, b = pair
                assert not set(a) & set(b), (lang, name, set(a) & set(b))


def test_lexicon_has_a_source_per_entry_and_many_languages() -> None:
    lex = load_lexicon()
    assert lex.size >= 60
    assert caption_opening("【写真】東京の街並み", lex)
    assert caption_opening("Στη φωτογραφία, ο πρωθυπουργός στη Βουλή", lex)
    assert caption_opening("Archivbild: Der Bundestag in Berlin", lex)  # compound of "bild"
    assert caption_closing("Protesters in the square (Photo: Jane Doe/AP)", lex)
    assert not caption_opening(P1, lex)


def test_signals_in_a_language_without_a_pack_are_counted_and_keep_the_article() -> None:
    text = "\n".join([
        "Νέα μέτρα στήριξης", "", "Φωτογραφία: Ο υπουργός Οικονομικών στη Βουλή", "", P1, "", P2, "",
        "Διαβάστε επίσης", "Οι τιμές της ενέργειας", "Νέο πρόγραμμα για τους νέους", "", P3, "", "(ΤΕΛΟΣ)", "",
        "Σχόλια", "Γιώργος", "Πολύ καλό άρθρο.", "", "Κοινοποίηση",
    ])
    stage = Clean(CleanConfig(load_packs(), 30.0, 1_000_000))
    doc = stage(Document(source="/t/el.txt", source_path="/t/el.txt", raw_text=text, content_type="text"))
    for p in (P1, P2, P3):
        assert p in doc.body
    for junk in ("Διαβάστε επίσης", "Οι τιμές της ενέργειας", "(ΤΕΛΟΣ)", "Σχόλια", "Πολύ καλό άρθρο", "Κοινοποίηση"):
        assert junk not in doc.body
    assert any("Ο υπουργός Οικονομικών" in c for c in doc.captions)
    assert stage.counters["caption_form"] + stage.counters["caption_credit"] >= 1
    assert stage.counters["related_blocks"] >= 1
    assert stage.counters["end_marks"] == 1 and stage.counters["end_lines"] >= 3


def test_end_mark_keeps_a_tail_of_paragraphs() -> None:
    text = "\n".join(["Τίτλος άρθρου", "", P1, "", P2, "", "(ΤΕΛΟΣ)", "", P3, "", P1.replace("σήμερα", "χθες"), ""])
    res = clean_text(text)
    assert P3 in res.body  # two standalone paragraphs after the mark: not a tail, nothing cut


def test_learned_openings_need_enough_documents_of_the_source() -> None:
    scenes = ["εικόνα από την εκδήλωση", "ο δήμαρχος στο λιμάνι", "πολίτες στην πλατεία", "το νέο σχολείο"]
    docs = [f"Τίτλος {i}\n\nΚλικ{i % 3}: {scenes[i % 4]} {i}\n\n{P1}\n\n{P2}\n" for i in range(12)]
    stats = SourceStats()
    for d in docs[:4]:
        stats.add(d)
    assert "Κλικ0: εικόνα" in clean_text(docs[0], stats=stats).body  # 4 documents: nothing decided yet
    for d in docs[4:]:
        stats.add(d)
    res = clean_text(docs[0], stats=stats)
    assert "Κλικ0" not in res.body and P1 in res.body and P2 in res.body
    assert res.metadata["signals"]["caption_learned"] == 1
    assert SourceStats.from_dict(stats.to_dict()).openings == stats.openings


def test_a_paragraph_recurring_across_the_source_is_not_a_learned_label() -> None:
    """An opening that recurs because the same paragraph recurs (a notice quoted in several articles,
    cut at other lengths) opens the same text every time: not a label, the paragraph stays."""
    notice = "25/4: Ännu fler bilder från utställningsarbetet. Finansieringen kom från kommunen i år, sa ordföranden"
    docs = [f"Rubrik {i}\n\n{P1}\n\n{notice[:84 + 5 * (i % 4)]}\n\n{P2}\n" for i in range(12)]
    stats = SourceStats()
    for d in docs:
        stats.add(d)
    assert stats.openings["25/4"] == 12 and len(stats.variants["25/4"]) == 1
    res = clean_text(docs[0], stats=stats)
    assert notice[:80] in res.body and "caption_learned" not in (res.metadata.get("signals") or {})
    merged = SourceStats.from_dict(stats.to_dict())
    merged.merge(stats)
    assert merged.documents == 24 and merged.variants == stats.variants


def test_captions_by_shape_alone_with_labels_no_lexicon_lists() -> None:
    """Invented labels (in no lexicon, no pack): told by the shape of a caption or a credit."""
    from pipeline.stages.clean.captions_by_form import caption_by_shape, credit_by_shape, load_lexicon

    lex = load_lexicon()
    shaped = ["Zzkartu: ο δήμαρχος μιλά στους κατοίκους της πόλης",
              "[Zzkartu] ο δήμαρχος μιλά στους κατοίκους της πόλης",
              "Ο δήμαρχος μιλά στους κατοίκους (Zzkartu: Νίκος Παππάς/ΑΠΕ)",
              "Ο δήμαρχος μιλά στους κατοίκους | Zzkartu: Νίκος Παππάς"]
    for line in shaped:
        assert not caption_opening(line, lex) and not caption_closing(line, lex)  # no label known
        assert caption_by_shape(line), line
    assert credit_by_shape("Zzkartu: Νίκος Παππάς/ΑΠΕ")
    for body in ("In practice, the United States has expanded its export restrictions on the grounds "
                 "that Russia has used \"illegal nerve agents.\"",
                 "http://amzn.to/2iJFhRj", "Chiefs vs. Chargers: Recap, highlights", "25/4: Ännu fler bilder i år"):
        assert not caption_by_shape(body), body
    doc = f"Τίτλος\n\n{P1}\n\n{shaped[0]}\n\n{P2}\n"
    res = clean_text(doc)
    assert shaped[0] in res.captions and P1 in res.body and P2 in res.body
    assert res.metadata["signals"]["caption_shape"] == 1
