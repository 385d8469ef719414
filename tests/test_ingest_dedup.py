"""Dedup and the language check: exact and near copies, earlier runs, signatures, quarantine reasons."""

from __future__ import annotations

import numpy as np
import pytest

from marsad.document import Document
from marsad.ingest.dedup import band_shape, make_dedup, normalized, permutations, shingle_hashes, word_hashes
from marsad.ingest.language import _ARABIC, _LETTERS, letter_counts, make_language
from marsad.pipeline import Pipeline, make
from marsad.runner import reason_kind

STORY = (
    "قال المرصد السوري لحقوق الإنسان إن غارة جوية استهدفت سوقا شعبية في مدينة معرة النعمان بريف إدلب "
    "الجنوبي صباح الخميس ما أدى إلى مقتل تسعة مدنيين بينهم ثلاثة أطفال وإصابة نحو عشرين آخرين بجروح "
    "متفاوتة فيما نفت وكالة الأنباء الرسمية أن يكون الطيران الحربي قد استهدف أي منطقة سكنية في المدينة "
    "وقالت إن الغارات طالت مقرات للمجموعات المسلحة في محيطها الشرقي والشمالي"
)
OTHER = (
    "أعلنت فصائل المعارضة المسلحة سيطرتها على بلدة كفرنبودة في ريف حماة الشمالي بعد اشتباكات عنيفة "
    "مع القوات الحكومية استمرت أكثر من عشر ساعات وقال قيادي في الفصائل إن مقاتليه استولوا على دبابتين"
)


def doc(i: str, text: str) -> Document:
    return Document(id=i, text=text)


def test_exact_duplicate_modulo_spelling_and_punctuation() -> None:
    dedup = make("dedup")
    first = dedup(doc("a", STORY))
    copy = dedup(doc("b", "  " + STORY.replace("إدلب", "ادلب").replace(" في ", "، في ") + "!"))
    assert first.duplicate_of is None and copy.duplicate_of == "a"
    assert copy.meta["duplicate"] == {"kind": "exact", "similarity": 1.0}
    assert "minhash" not in copy.meta and copy.meta["text_hash"] == first.meta["text_hash"]


def test_digits_and_letters_fold_as_everywhere_else() -> None:
    # one folding table (marsad.text.normalize): Arabic-Indic digits, hamza seats, Persian letters
    assert normalized("عام ٢٠١٥ رئيس") == normalized("عام 2015 رييس") == "عام 2015 رييس"
    assert normalized("ی ک ؤ") == normalized("ي ك و")
    dedup = make("dedup")
    first = dedup(doc("a", STORY + " في عام 2015"))
    copy = dedup(doc("b", STORY.replace("رئيس", "رييس") + " في عام ٢٠١٥"))
    assert first.duplicate_of is None and copy.duplicate_of == "a"
    assert copy.meta["text_hash"] == first.meta["text_hash"]


def test_near_duplicate_and_distinct_story() -> None:
    dedup = make_dedup(threshold=0.8)
    dedup(doc("a", STORY))
    near = dedup(doc("b", STORY + " وأضاف المرصد"))
    distinct = dedup(doc("c", OTHER))
    assert near.duplicate_of == "a" and near.meta["duplicate"]["kind"] == "near"
    assert near.meta["duplicate"]["similarity"] >= 0.8
    assert distinct.duplicate_of is None and len(dedup) == 2


def test_threshold_is_configurable() -> None:
    half = " ".join(STORY.split()[: len(STORY.split()) // 2])
    strict = make_dedup(threshold=0.95)
    strict(doc("a", STORY))
    assert strict(doc("b", half + " " + OTHER)).duplicate_of is None


def test_signatures_from_an_earlier_run() -> None:
    earlier = make_dedup()
    sig = earlier(doc("old-1", STORY)).meta["minhash"]
    assert isinstance(sig, bytes) and len(sig) == 64 * 4
    later = make_dedup(signatures=[("old-1", sig), ("bad", b"short")])
    assert later.loaded == 1
    assert later(doc("new-1", STORY)).duplicate_of == "old-1"
    assert later(doc("new-2", OTHER)).duplicate_of is None


def test_the_seeded_draws_read_back_from_the_cache_equal_a_fresh_draw(tmp_path, monkeypatch) -> None:
    """The permutations and the bands' multipliers are cached (a warm start need not import
    numpy.random): what the cache gives back is what was drawn, dtype and all."""
    from marsad.ingest.dedup import Bands

    monkeypatch.setenv("MARSAD_CACHE", str(tmp_path))
    cold, warm = permutations(64, seed=3), permutations(64, seed=3)
    assert len(list(tmp_path.glob("minhash-permutations-*"))) == 1
    for drawn, read in zip(cold, warm, strict=True):
        assert drawn.dtype == read.dtype == np.uint32 and np.array_equal(drawn, read)
    assert np.array_equal(Bands(4, 15)._mix, Bands(4, 15)._mix) and Bands(4, 15)._mix.dtype == np.uint64


def test_a_warm_start_draws_nothing_from_numpy_random() -> None:
    import subprocess
    import sys

    code = "import sys; from marsad.runner import build_pipeline; build_pipeline(); print('numpy.random' in sys.modules)"
    for _ in range(2):  # the first may draw (a cold cache)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_signature_and_bands_are_datasketchs() -> None:
    """Signatures stored by earlier versions (made with datasketch) keep their meaning: the same
    permutations (affine32, seed 1) and the same band shape, computed without importing it."""
    a, b = permutations(64)
    assert a[:3].tolist() == [3582191691, 4270784983, 1892572953]
    assert b[:3].tolist() == [4114104213, 1768615473, 2289927481]
    assert band_shape(0.85, 64) == (4, 15)
    try:
        from datasketch import MinHash
        from datasketch.lsh import _optimal_param
    except ImportError:
        return
    dedup = make_dedup(num_perm=32)
    shingles = shingle_hashes(word_hashes(normalized(STORY)))
    reference = MinHash(num_perm=32, hashfunc=int)
    reference.update_batch(shingles)
    assert np.array_equal(dedup.signature(shingles), reference.hashvalues)
    for threshold in (0.5, 0.7, 0.8, 0.85, 0.9):
        for num_perm in (32, 64, 128):
            assert band_shape(threshold, num_perm) == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_dedup_does_not_import_scipy() -> None:
    """Every worker pays the imports of its stages: scipy alone cost 0.4 s."""
    import subprocess
    import sys

    code = "import sys, marsad.admission, marsad.ingest.dedup; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_word_hashes_depend_on_the_word_only() -> None:
    a = word_hashes("مدينه ادلب والريف")
    b = word_hashes("ادلب مدينه")
    assert len(a) == 3 and a[1] == b[0] and a[0] == b[1]
    assert len(word_hashes("")) == 0


def test_short_and_empty_texts() -> None:
    dedup = make_dedup()
    assert dedup(doc("e", "")).meta == {}
    one = dedup(doc("s1", "عاجل"))
    assert one.duplicate_of is None and len(one.meta["minhash"]) == 256
    assert dedup(doc("s2", "عاجل")).duplicate_of == "s1"


def test_pipeline_stops_at_a_duplicate() -> None:
    pipe = Pipeline.from_names(["clean", "language", "dedup"])
    pipe(doc("a", STORY))
    second = pipe(doc("b", STORY))
    assert second.duplicate_of == "a" and second.rejected


def test_index_bytes_are_bounded_per_article() -> None:
    dedup = make_dedup()
    words = STORY.split()
    for i in range(300):
        dedup(doc(f"d{i}", " ".join(words[i % 7 :] + [f"رقم{i}", f"سطر{i * 7}"] + words[: i % 7])))
    assert 0 < dedup.nbytes() / max(len(dedup), 1) < 4000


# -- language ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("   \n ", "empty text"),
        ("عاجل: قصف", "too short"),
        ("The Syrian Observatory said an air strike killed nine civilians in Maarat al-Numan.", "not Arabic"),
        ("ا" * 30 + " " + "x" * 40, "not Arabic"),
    ],
)
def test_language_quarantine(text: str, reason: str) -> None:
    out = make_language()(doc("x", text))
    assert out.quarantine and reason_kind(out.quarantine) == reason


def test_an_empty_text_names_where_it_was_read() -> None:
    blank = Document(id="x", text=" \n ", source="/feeds/news.jsonl", line=12)
    assert make_language()(blank).quarantine == "empty text at news.jsonl:12: nothing left after cleaning"


def test_language_passes_arabic_with_some_latin() -> None:
    out = make_language()(doc("x", STORY + " (AFP) SANA"))
    assert out.quarantine is None and out.meta["arabic_share"] > 0.9


def test_language_limits_are_configurable() -> None:
    assert make_language(max_chars=100)(doc("x", STORY)).quarantine.startswith("oversize: ")
    assert make_language(min_arabic_letters=5)(doc("x", "عاجل: قصف")).quarantine is None
    assert make_language(min_arabic_share=0.2)(doc("x", "ا" * 30 + " " + "x" * 40)).quarantine is None


def _letter_counts_by_regex(text: str) -> tuple[int, int]:
    rest = _ARABIC.sub("", text)
    return len(text) - len(rest), sum(map(len, _LETTERS.findall(rest)))


def test_letter_counts_equal_the_regex_on_any_text() -> None:
    """The numpy look-up counts what the class of Arabic letters counts, for every character of
    the BMP (its edges, unassigned code points, presentation forms), beyond it and lone surrogates."""
    rng = np.random.default_rng(7)
    bmp = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000]
    texts = ["", STORY, "".join(bmp), STORY + " 😀 𝐀", "\ud83d\ude00" + STORY, "\ud800" + STORY]
    texts += ["".join(rng.choice(bmp, size=200)) for _ in range(300)]
    for text in texts:
        assert letter_counts(text) == _letter_counts_by_regex(text)
