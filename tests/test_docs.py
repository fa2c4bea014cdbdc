"""The README's configuration table lists every KHABAR_* setting."""
from index.config import REPO_ROOT
from ui.config import Settings


def test_every_setting_is_documented():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f"KHABAR_{name.upper()}" for name in Settings.model_fields if f"KHABAR_{name.upper()}" not in readme]
    assert not missing, missing
