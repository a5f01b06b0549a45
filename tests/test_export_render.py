"""The Word export as a reader gets it: converted by LibreOffice (when installed) into printed pages."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from grt.demo import demo_data, load_demo
from grt.export import export_synthesis
from grt.synthesis import latest_validated

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_prints_the_demo_export(db, tmp_path):
    created = load_demo(db, demo_data())
    synthesis = latest_validated(db, created["group"].id)
    out = tmp_path / "synthese.docx"
    export_synthesis(db, synthesis.id, out, use_model=False)
    profile = tmp_path / "lo-profile"  # its own profile, so that a running LibreOffice does not interfere
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = (tmp_path / "synthese.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    # Cover, reading guide and participants, three poles, debates, proposals, annex: several pages.
    assert pages >= 5
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "synthese.pdf"), "-"], capture_output=True, text=True, check=True).stdout
        assert "Pôle des exigences éthiques" in text and "Annexe : extraits codés" in text
        for p in created["participants"].values():
            assert p.real_name not in text
