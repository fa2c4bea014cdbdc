from pathlib import Path

import pytest

from index.clean import clean
from index.config import BUNDLED_ARTICLES
from index.load import RawArticle, load_folder

BOILERPLATE = ["مجلس التحرير", "أوراق اعتماده", "نقابة الصحفيين", "اشترك الآن", "Reuters.com", "LEAVE A REPLY",
               "Please enter", "تلغرام", "https://", "reading icon", "دقائق القراءة", "اقرأ أيضاً", "انظر ايضاً",
               "أفكارك وتعليقاتك", "(تستمر)", "معاييرنا", "جنيف-سانا", "جنيف-وكالات", "القادري"]


def _raw(text: str, fmt: str = "txt", name: str = "x") -> RawArticle:
    return RawArticle(article_id=name, path=Path(f"{name}.{fmt}"), text=text, fmt=fmt)


@pytest.fixture(scope="module")
def seeds():
    arts, skipped = load_folder(BUNDLED_ARTICLES)
    assert not skipped
    return {a.article_id: clean(a) for a in arts}


def test_seed_articles_carry_no_boilerplate(seeds):
    for art in seeds.values():
        for phrase in BOILERPLATE:
            assert phrase not in art.text, (art.article_id, phrase)
        assert "\nنشر\n" not in f"\n{art.text}\n"


def test_seed_titles_are_the_real_headlines(seeds):
    assert seeds["000_61330ebac7948799"].title == "الخارجية الأمريكية: اختتام المحادثات الأمنية مع روسيا في جنيف"
    assert seeds["001_e812f4507972c678"].title.startswith("اختتام المفاوضات الروسية الأمريكية")
    assert seeds["003_b556f401f158842d"].title == "موسكو وواشنطن: محادثات مكثفة في جنيف للحد من التسلح"
    assert seeds["004_c0fc1715b878b95d"].title.startswith("بوتين وبايدن يجريان مباحثات هاتفية")
    assert all(a.language == "ar" for a in seeds.values())


def test_seed_bodies_keep_the_news(seeds):
    assert "سبع ساعات" in seeds["001_e812f4507972c678"].text
    assert "45 طلباً" in seeds["003_b556f401f158842d"].text
    # a duplicated headline / caption is kept once at most
    t = seeds["004_c0fc1715b878b95d"]
    assert t.text.count("بوتين وبايدن يجريان مباحثات هاتفية مهمة") == 0


def test_photo_captions_are_kept_once_after_the_body_and_never_as_the_title(seeds):
    """What a reader sees under the picture is part of what the article says: the Reuters caption names the
    photographer and the place, the Asharq caption (printed twice) the Swiss president."""
    reuters, asharq = seeds["002_8f7b2033fd4e924f"], seeds["003_b556f401f158842d"]
    last = reuters.text.split("\n\n")[-1]
    assert "فسيفولوزك" in last and "تصوير: أنطون فاجانوف" in last
    assert asharq.text.count("والرئيس السويسري جاي بارميلين") == 1
    assert asharq.text.split("\n\n")[-1].startswith("الرئيس الأميركي جو بايدن")
    assert asharq.title == "موسكو وواشنطن: محادثات مكثفة في جنيف للحد من التسلح"
    assert "فسيفولوزك" not in reuters.title


GENERIC = """هيئة التحرير: رئيس التحرير أحمد علي
الموقع عضو في نقابة الصحفيين المصريين

القاهرة تستضيف مؤتمرا دوليا للمياه

نشر
اليوم السابع

القاهرة - أ ش أ

مشاركون في المؤتمر يتحدثون في القاعة الرئيسية، 3 مايو 2023. تصوير: محمد حسن

افتتح رئيس الوزراء صباح اليوم مؤتمرا دوليا للمياه بمشاركة ممثلين عن ثلاثين دولة، وناقش المشاركون سبل التعاون في إدارة الموارد المائية المشتركة بين الدول.

اشترك الآن في نشرتنا البريدية

وقال وزير الموارد المائية إن المؤتمر يهدف إلى تبادل الخبرات، مضيفا أن بلاده مستعدة للتعاون مع جميع الأطراف من أجل حلول مستدامة للأزمة.

شارك عبر فيسبوك

تابعونا على تويتر https://twitter.com/example

اترك تعليقا

اقرأ أيضا:
مقال آخر لا علاقة له بالموضوع
"""


def test_rules_generalise_to_another_site():
    art = clean(_raw(GENERIC))
    assert art.title == "القاهرة تستضيف مؤتمرا دوليا للمياه"
    for phrase in ["التحرير", "نقابة", "اليوم السابع", "أ ش أ", "اشترك", "فيسبوك", "twitter", "تعليقا",
                   "اقرأ", "مقال آخر"]:
        assert phrase not in art.text, phrase
    assert art.text.startswith("افتتح رئيس الوزراء")
    assert "تبادل الخبرات" in art.text
    # the caption, kept after the body; a bare credit says nothing and is dropped
    assert art.text.endswith("مشاركون في المؤتمر يتحدثون في القاعة الرئيسية، 3 مايو 2023. تصوير: محمد حسن")
    assert "تصوير: رويترز" not in clean(_raw(GENERIC.replace("تصوير: محمد حسن", "") + "\nتصوير: رويترز\n")).text


def test_html_scripts_and_chrome_removed():
    html = """<html><head><title>Site | Page</title><script>alert('x')</script></head><body>
    <nav>Home News Sport</nav><h1>Talks end in Geneva</h1>
    <p>The talks between the two delegations ended on Monday evening after more than seven hours of discussion in the city.</p>
    <script>document.write('evil')</script><p>Officials said &amp; repeated that more meetings would follow next week in Brussels and Vienna.</p>
    <footer>Copyright 2022 All rights reserved</footer></body></html>"""
    art = clean(_raw(html, "html"))
    assert art.title == "Talks end in Geneva"
    assert "alert" not in art.text and "evil" not in art.text and "Home News" not in art.text
    assert "Copyright" not in art.text
    assert "said & repeated" in art.text
    assert art.language == "en"


def test_markdown_title_and_links():
    md = "# عنوان المقال\n\nهذه فقرة أولى طويلة بما يكفي لتكون جزءا من نص المقال وليست عنوانا، وفيها [رابط](http://x.y) مهم وكلمات أخرى كثيرة.\n"
    art = clean(_raw(md, "md"))
    assert art.title == "عنوان المقال"
    assert "رابط مهم" in art.text and "http" not in art.text
