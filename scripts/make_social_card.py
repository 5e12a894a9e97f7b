"""Draws static/img/social-card.png, the 1200x630 card for pages without a poster.

Run again after a change of name or colours: .venv/bin/python scripts/make_social_card.py
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "static" / "img" / "social-card.png"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
ACCENT, PAPER, INK = (138, 28, 28), (251, 250, 247), (29, 27, 24)


def main():
    card = Image.new("RGB", (1200, 630), PAPER)
    draw = ImageDraw.Draw(card)
    draw.rectangle([0, 0, 1200, 24], fill=ACCENT)
    draw.rounded_rectangle([90, 150, 250, 310], radius=28, fill=ACCENT)
    draw.polygon([(145, 190), (215, 230), (145, 270)], fill=(255, 255, 255))
    bold = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), 88)
    plain = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 44)
    draw.text((290, 170), "Worth Watching", font=bold, fill=INK)
    draw.text((90, 380), "Is it worth watching? One question per film,", font=plain, fill=INK)
    draw.text((90, 445), "answered from box office and readers' ratings.", font=plain, fill=INK)
    card.save(OUT, optimize=True)
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    main()
