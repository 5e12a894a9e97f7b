"""`manage.py load_demo`: One Second (2020) and fifteen more films, and a demo editor.

Idempotent: every row is looked up by its natural key (a film by its slug, a credit by
film, person and role, an offer by film, provider, country and kind) and written only
when something differs, so a second run changes nothing, not even "last updated".

Figures are the publicly reported ones as best known; where they are uncertain the
"box office as of" note says "approximate". The where-to-watch offers and vote counts are
illustrative demo data. Posters are plain title cards drawn with Pillow and stored
through the same pipeline as an editor's upload (movies.images).
"""

import datetime
import io
import os
from decimal import Decimal
from urllib.parse import quote_plus

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from movies import images
from movies.models import (
    Availability,
    Credit,
    Genre,
    Movie,
    Person,
    Provider,
    RegionalGross,
)
from movies.services import refresh_search_documents
from reviews.demo import load_demo_reviews

D = Movie.Accuracy
CHECKED = datetime.date(2026, 1, 18)
DEFAULT_PASSWORD = "watch-one-second"

PROVIDERS = {
    "apple-tv": ("Apple TV", "https://tv.apple.com/", "https://tv.apple.com/search?term={q}"),
    "google-play-movies": (
        "Google Play Movies",
        "https://play.google.com/store/movies",
        "https://play.google.com/store/search?q={q}&c=movies",
    ),
    "amazon-prime-video": (
        "Amazon Prime Video",
        "https://www.primevideo.com/",
        "https://www.primevideo.com/search/?phrase={q}",
    ),
}

# Offers most films get (illustrative): rent and buy in the US and the UK.
STANDARD_OFFERS = [
    ("apple-tv", "US", "rent"), ("apple-tv", "US", "buy"),
    ("amazon-prime-video", "US", "rent"), ("google-play-movies", "US", "buy"),
    ("apple-tv", "GB", "buy"), ("amazon-prime-video", "GB", "rent"),
]  # fmt: skip

FILMS = [
    {
        "title": "One Second",
        "original_title": "一秒钟",
        "year": 2020,
        "release_date": datetime.date(2020, 11, 27),
        "runtime_minutes": 104,
        "certification": "Not rated",
        "genres": ["Drama", "History"],
        "main_genre": "Drama",
        "director": "Zhang Yimou",
        "cast": [
            ("Liu Haocun", "Liu Girl (Orphan Liu)"),
            ("Zhang Yi", "Zhang Jiusheng"),
            ("Fan Wei", "Mr. Movie"),
        ],
        "logline": "A fugitive from a labour camp crosses the desert to see one second of a "
        "newsreel in which his daughter appears, and an orphan girl wants the same reel "
        "for reasons of her own.",
        "synopsis": "China, the Cultural Revolution. A man escapes from a labour camp and "
        "walks across the dunes towards a township where a newsreel is about to be shown "
        "before the main feature, because somewhere in it, for about a second, his daughter "
        "appears. When a ragged orphan steals a reel from the cart carrying the prints, he "
        "finds himself chasing her, the film and the town's self-important projectionist, "
        "while the men from the camp close in.",
        "plot_summary": "Zhang Jiusheng has escaped with one aim: newsreel No. 22, touring "
        "the region's screens ahead of the feature, holds a second of footage of his "
        "daughter. At a roadside stop he sees a girl, Liu, steal a film can from the cart "
        "that carries the prints from village to village. He chases her, wins the can back "
        "and loses it again; Liu wants the celluloid to make a lampshade for her little "
        "brother.\n\n"
        "By the time they reach the township the reel has been dragged through the dust. "
        "Mr. Movie, who runs the town's screenings like a small kingdom, sets the whole "
        "village to washing and drying the film strip by strip, and the evening's show, the "
        "war film Heroic Sons and Daughters, goes ahead. Zhang talks his way into the "
        "projection booth and has the newsreel run again and again, his daughter's second "
        "looping on the screen, until the men hunting him arrive.",
        "ending_breakdown": "Zhang is caught at the screening and marched back into the "
        "desert. Mr. Movie has cut him two frames of his daughter from the newsreel, and "
        "they are all he takes away; in the struggle on the dunes they are lost to the "
        "sand, the film's last and quietest image of what those years took from him.\n\n"
        "The ending also answers why a single second matters so much: it is the only "
        "moving picture of his daughter he can ever hope to see.",
        "accuracy_label": D.DRAMATIZED,
        "historical_accuracy": "The characters are invented; the world around them is "
        "carefully observed. Travelling projection teams and township screenings were how "
        "much of rural China saw films in the 1960s and 1970s, newsreels really did play "
        "before the feature, and Heroic Sons and Daughters (1964), the Korean War film the "
        "town watches, was a staple of the period. The labour camps of the north-west are "
        "real too, though the film keeps their brutality mostly off screen. The village "
        "washing a print by hand is a dramatic set piece rather than a documented practice. "
        "The film's own history is part of its story: it was withdrawn from the 2019 Berlin "
        "festival for what were called technical reasons and reached Chinese cinemas in "
        "November 2020.",
        "performance_analysis": "Zhang Yi plays the fugitive as a man worn down to a single "
        "purpose: stubborn, funny despite himself and, alone in the projection booth, "
        "devastating without a word. Liu Haocun, in her first film role, makes the orphan "
        "guarded and quick rather than sweet, and their prickly alliance carries the film. "
        "Fan Wei's Mr. Movie is the comic turn, a small-town functionary puffed up by the "
        "one skill everyone needs, and he finds the kindness under the pomposity late on.",
        "editorial_assessment": "Zhang Yimou in a small, personal key: a chase across the "
        "dunes that becomes a love letter to celluloid and to the shared ritual of going "
        "to the pictures. The middle stretch is leisurely and the ending shows the marks "
        "of its delayed release, but the film-washing sequence and the looped second of "
        "newsreel are among the most moving scenes he has made.",
        "watch_if": [
            "love films about the magic of cinema, like Cinema Paradiso",
            "want to see Zhang Yimou working on a small, intimate scale",
            "are curious about everyday life during China's Cultural Revolution",
            "enjoy bittersweet stories carried by two strong lead performances",
        ],
        "budget": 1_300_000,
        "worldwide_gross": 10_800_000,
        "box_office_source": "Industry estimates of budget and worldwide gross",
        "box_office_as_of": "final theatrical run, approximate",
        "regions": [("China", 10_700_000)],
        "external_rating": "7.3",
        "external_rating_votes": 8_500,
        "offers": [
            ("apple-tv", "US", "rent"),
            ("apple-tv", "US", "buy"),
            ("google-play-movies", "US", "rent"),
            ("google-play-movies", "US", "buy"),
            ("amazon-prime-video", "US", "rent"),
            ("amazon-prime-video", "US", "buy"),
            ("apple-tv", "GB", "rent"),
            ("apple-tv", "GB", "buy"),
            ("amazon-prime-video", "GB", "rent"),
            ("amazon-prime-video", "GB", "buy"),
            ("apple-tv", "CA", "buy"),
            ("google-play-movies", "CA", "buy"),
        ],  # fmt: skip
        "featured": True,
        "colours": ((196, 148, 82), (40, 28, 20)),
        "days_ago": 2,
    },
    {
        "title": "Parasite",
        "original_title": "기생충",
        "year": 2019,
        "release_date": datetime.date(2019, 5, 30),
        "runtime_minutes": 132,
        "certification": "R",
        "genres": ["Drama", "Thriller", "Comedy"],
        "main_genre": "Thriller",
        "director": "Bong Joon-ho",
        "writers": ["Bong Joon-ho", "Han Jin-won"],
        "cast": [
            ("Song Kang-ho", "Kim Ki-taek"),
            ("Choi Woo-shik", "Kim Ki-woo"),
            ("Park So-dam", "Kim Ki-jung"),
            ("Cho Yeo-jeong", "Park Yeon-kyo"),
            ("Lee Sun-kyun", "Park Dong-ik"),
        ],  # fmt: skip
        "logline": "A family of hustlers talks its way, one job at a time, into the house of "
        "a rich Seoul family, until something in the basement changes everything.",
        "synopsis": "The Kims live in a semi-basement flat, folding pizza boxes for cash. "
        "When the son lands a tutoring job with the wealthy Parks, the rest of the family "
        "see their chance, and a con built on forged credentials and careful lies begins.",
        "plot_summary": "One by one the Kims replace the Parks' staff: the daughter as an art "
        "therapist, the father as a driver, the mother as housekeeper. The scheme is nearly "
        "perfect until a rainy night, with the Parks away, when the dismissed housekeeper "
        "rings the doorbell and reveals what lies beneath the house.",
        "ending_breakdown": "The birthday party ends in violence: Ki-taek, humiliated one "
        "time too many by Mr. Park's disgust at his smell, kills him and vanishes into the "
        "bunker beneath the house. Ki-woo's plan to earn enough to buy the house and free "
        "his father is shown as a fantasy; the film ends back in the semi-basement.",
        "accuracy_label": D.FICTION,
        "historical_accuracy": "Fiction, though the semi-basement flats (banjiha) are real "
        "Seoul housing, and the film prompted the city to help residents move out of them.",
        "performance_analysis": "Song Kang-ho anchors the film with a father whose good "
        "humour curdles into shame. Park So-dam's unflappable Ki-jung steals scenes, and "
        "Cho Yeo-jeong makes the gullible Mrs. Park funny without contempt.",
        "editorial_assessment": "A perfectly engineered thriller that is also a sharp "
        "comedy and a furious film about class. Every shot pays off; the tonal turns are "
        "exhilarating. Essential.",
        "watch_if": [
            "like thrillers that keep changing shape",
            "enjoy dark comedy with something to say about class",
            "want to see why it won the Palme d'Or and Best Picture",
        ],
        "budget": 11_400_000,
        "worldwide_gross": 262_100_000,
        "domestic_gross": 53_400_000,
        "box_office_source": "Box Office Mojo",
        "box_office_as_of": "including the 2020 awards re-release, approximate",
        "regions": [("South Korea", 72_000_000), ("North America", 53_400_000)],
        "external_rating": "8.5",
        "external_rating_votes": 1_000_000,
        "featured": True,
        "colours": ((38, 70, 83), (233, 196, 106)),
        "days_ago": 5,
    },
    {
        "title": "The Prestige",
        "year": 2006,
        "release_date": datetime.date(2006, 10, 20),
        "runtime_minutes": 130,
        "certification": "PG-13",
        "genres": ["Mystery", "Drama", "Science Fiction"],
        "main_genre": "Mystery",
        "director": "Christopher Nolan",
        "writers": ["Jonathan Nolan", "Christopher Nolan"],
        "cast": [
            ("Hugh Jackman", "Robert Angier"),
            ("Christian Bale", "Alfred Borden"),
            ("Michael Caine", "Cutter"),
            ("Scarlett Johansson", "Olivia Wenscombe"),
            ("David Bowie", "Nikola Tesla"),
        ],  # fmt: skip
        "logline": "Two stage magicians in Victorian London turn a rivalry into an obsession "
        "that costs them everything.",
        "synopsis": "Angier and Borden begin as assistants to the same magician. After a "
        "trick goes fatally wrong they become rivals, each trying to steal the other's "
        "secrets, until Borden performs an illusion Angier cannot explain.",
        "plot_summary": "Told through diaries and flashbacks, the film follows Angier's "
        "hunt for the secret of Borden's Transported Man, a journey that leads him to "
        "Colorado Springs and the inventor Nikola Tesla.",
        "ending_breakdown": "Both men have paid for their tricks with their lives in ways "
        "the audience never saw: Borden is twins sharing one identity, and Angier's "
        "machine makes a copy each night, the original drowning beneath the stage.",
        "accuracy_label": D.FICTION,
        "historical_accuracy": "Adapted from Christopher Priest's novel. Tesla and his "
        "Colorado Springs laboratory are real; his duplicating machine is not.",
        "performance_analysis": "Bale and Jackman are matched opponents, Bale guarded and "
        "working-class, Jackman a showman hollowed out by grief. Michael Caine gives the "
        "film its conscience; Bowie's brief Tesla is memorable.",
        "editorial_assessment": "A puzzle box built like one of its tricks, with a pledge, "
        "a turn and a prestige. It rewards a second viewing more than most.",
        "watch_if": [
            "love a twist you can go back and find the clues for",
            "enjoy period drama with a dark streak",
            "like films about obsession and rivalry",
        ],
        "budget": 40_000_000,
        "worldwide_gross": 109_700_000,
        "domestic_gross": 53_100_000,
        "box_office_source": "Box Office Mojo",
        "box_office_as_of": "final, approximate",
        "external_rating": "8.5",
        "external_rating_votes": 1_500_000,
        "featured": True,
        "colours": ((92, 22, 32), (236, 220, 190)),
        "days_ago": 8,
    },
    {
        "title": "Hero",
        "original_title": "英雄",
        "year": 2002,
        "runtime_minutes": 99,
        "certification": "PG-13",
        "genres": ["Action", "Drama", "History"],
        "main_genre": "Action",
        "director": "Zhang Yimou",
        "cast": [
            ("Jet Li", "Nameless"),
            ("Tony Leung Chiu-wai", "Broken Sword"),
            ("Maggie Cheung", "Flying Snow"),
            ("Zhang Ziyi", "Moon"),
            ("Chen Daoming", "King of Qin"),
            ("Donnie Yen", "Sky"),
        ],  # fmt: skip
        "logline": "A nameless official tells the King of Qin how he defeated three "
        "assassins, and each retelling changes colour.",
        "synopsis": "In the Warring States period a minor official is granted an audience "
        "with the king for killing the assassins who threatened him. The king doubts the "
        "story, and the versions of it multiply.",
        "plot_summary": "Each account of the duels with Sky, Broken Sword and Flying Snow "
        "is shot in its own colour, red, blue, green and white, as the king pieces "
        "together what really happened and why Nameless is standing ten paces from him.",
        "ending_breakdown": "Nameless spares the king, persuaded by Broken Sword that a "
        "united 'all under heaven' is worth more than revenge, and is executed for it.",
        "accuracy_label": D.LOOSELY_BASED,
        "historical_accuracy": "Inspired by the attempts on the life of the future first "
        "emperor, Qin Shi Huang, such as Jing Ke's; the assassins and duels are invented, "
        "and the film's view of unification has been widely debated.",
        "performance_analysis": "Jet Li's stillness suits the film's formality, while Tony "
        "Leung and Maggie Cheung bring real feeling to the doomed lovers.",
        "editorial_assessment": "Ravishing to look at, with some of the most beautiful "
        "fight choreography on film; its politics are worth arguing about afterwards.",
        "watch_if": [
            "love wuxia and choreographed sword fights",
            "want colour and composition to tell the story",
            "have seen One Second and want Zhang Yimou at his most epic",
        ],
        "budget": 31_000_000,
        "worldwide_gross": 177_400_000,
        "domestic_gross": 53_700_000,
        "box_office_source": "Box Office Mojo",
        "box_office_as_of": "approximate",
        "external_rating": "7.9",
        "external_rating_votes": 190_000,
        "featured": True,
        "colours": ((168, 30, 30), (250, 232, 200)),
        "days_ago": 11,
    },
    {
        "title": "Arrival",
        "year": 2016,
        "release_date": datetime.date(2016, 11, 11),
        "runtime_minutes": 116,
        "certification": "PG-13",
        "genres": ["Science Fiction", "Drama", "Mystery"],
        "main_genre": "Science Fiction",
        "director": "Denis Villeneuve",
        "writers": ["Eric Heisserer"],
        "composers": ["Jóhann Jóhannsson"],
        "cast": [
            ("Amy Adams", "Louise Banks"),
            ("Jeremy Renner", "Ian Donnelly"),
            ("Forest Whitaker", "Colonel Weber"),
            ("Michael Stuhlbarg", "Agent Halpern"),
        ],  # fmt: skip
        "logline": "A linguist is asked to talk to the visitors in twelve alien ships, and "
        "learning their language changes how she experiences time.",
        "synopsis": "When twelve vessels settle over the Earth, the US Army recruits "
        "linguist Louise Banks to work out what the heptapods want before nervous nations "
        "decide for themselves.",
        "plot_summary": "Louise and physicist Ian Donnelly build a vocabulary with the "
        "aliens through circular written symbols, while the other nations' patience runs "
        "out and China prepares to attack.",
        "ending_breakdown": "The scenes of Louise's daughter are not memories but the "
        "future: the heptapod language lets her perceive time whole. She chooses that "
        "life knowing how it will end.",
        "accuracy_label": D.FICTION,
        "historical_accuracy": "Fiction, adapted from Ted Chiang's story 'Story of Your "
        "Life'; its linguistics is more careful than most films'.",
        "performance_analysis": "Amy Adams carries the film with a restrained, quietly "
        "shattering performance; Renner is a warm foil.",
        "editorial_assessment": "Thoughtful science fiction with a real emotional payload. "
        "Slow by design, and worth it.",
        "watch_if": [
            "prefer science fiction about ideas over explosions",
            "like films that reward close attention",
        ],
        "budget": 47_000_000,
        "worldwide_gross": 203_400_000,
        "domestic_gross": 100_500_000,
        "box_office_source": "Box Office Mojo",
        "box_office_as_of": "final, approximate",
        "external_rating": "7.9",
        "external_rating_votes": 800_000,
        "colours": ((58, 68, 78), (214, 222, 228)),
        "days_ago": 14,
    },
    {
        "title": "Children of Men",
        "year": 2006,
        "runtime_minutes": 109,
        "certification": "R",
        "genres": ["Science Fiction", "Drama", "Thriller"],
        "main_genre": "Science Fiction",
        "director": "Alfonso Cuarón",
        "cast": [
            ("Clive Owen", "Theo Faron"),
            ("Julianne Moore", "Julian Taylor"),
            ("Michael Caine", "Jasper Palmer"),
            ("Clare-Hope Ashitey", "Kee"),
            ("Chiwetel Ejiofor", "Luke"),
        ],  # fmt: skip
        "logline": "In a Britain where no child has been born for eighteen years, a "
        "burnt-out civil servant must protect the first pregnant woman in a generation.",
        "synopsis": "2027: the world has fallen apart and Britain has sealed itself off. "
        "Theo's ex-wife, now leading a resistance group, asks him to get a young refugee, "
        "Kee, out of the country; he soon learns why she matters.",
        "plot_summary": "The journey to the coast passes through an ambush, a safe house "
        "that is not safe and the refugee camp at Bexhill, where the army and the "
        "insurgents fight street by street.",
        "ending_breakdown": "Theo gets Kee and her baby to the boat of the Human Project "
        "and dies of his wounds as it emerges from the fog; the children's voices over "
        "the credits suggest hope, never certainty.",
        "accuracy_label": D.FICTION,
        "historical_accuracy": "Fiction, loosely adapted from P. D. James's novel; its "
        "images of detention camps were drawn from contemporary news.",
        "performance_analysis": "Clive Owen's weary everyman is the film's quiet centre; "
        "Michael Caine brings warmth as the ageing hippie Jasper.",
        "editorial_assessment": "A gripping, urgent dystopia with famous single-take "
        "sequences that still look impossible. It lost money and has only grown since.",
        "watch_if": [
            "want dystopian science fiction that feels close to home",
            "love bravura long takes",
        ],
        "budget": 76_000_000,
        "worldwide_gross": 70_600_000,
        "domestic_gross": 35_600_000,
        "box_office_source": "Box Office Mojo",
        "box_office_as_of": "approximate",
        "external_rating": "7.9",
        "external_rating_votes": 560_000,
        "featured": True,
        "colours": ((70, 74, 60), (230, 226, 210)),
        "days_ago": 17,
    },
    {
        "title": "Blade Runner 2049",
        "year": 2017,
        "release_date": datetime.date(2017, 10, 6),
        "runtime_minutes": 164,
        "certification": "R",
        "genres": ["Science Fiction", "Drama", "Mystery"],
        "main_genre": "Science Fiction",
        "director": "Denis Villeneuve",
        "composers": ["Hans Zimmer", "Benjamin Wallfisch"],
        "cast": [
            ("Ryan Gosling", "K"),
            ("Harrison Ford", "Rick Deckard"),
            ("Ana de Armas", "Joi"),
            ("Sylvia Hoeks", "Luv"),
            ("Robin Wright", "Lieutenant Joshi"),
            ("Jared Leto", "Niander Wallace"),
        ],  # fmt: skip
        "logline": "A replicant blade runner uncovers a secret that could break the line "
        "between humans and replicants.",
        "synopsis": "Thirty years after the first film, K retires old-model replicants for "
        "the LAPD. A box of bones buried under a dead tree sends him looking for Rick "
        "Deckard.",
        "plot_summary": "K's investigation leads from a protein farm to an orphanage, a "
        "memory designer and the radioactive ruins of Las Vegas, while Wallace's enforcer "
        "Luv shadows him.",
        "ending_breakdown": "K is not the miracle child; Ana Stelline is. He reunites "
        "Deckard with his daughter and lies down in the snow.",
        "accuracy_label": D.FICTION,
        "performance_analysis": "Gosling's near-blank K slowly fills with feeling; Ford "
        "gives his best late-career performance.",
        "editorial_assessment": "A rare sequel that deepens its original: long, slow and "
        "overwhelming on a big screen.",
        "watch_if": [
            "loved the original Blade Runner",
            "can give a long, slow film your full attention",
        ],
        "budget": 150_000_000,
        "worldwide_gross": 276_600_000,
        "domestic_gross": 92_100_000,
        "box_office_source": "Box Office Mojo; budget reported as $150M to $185M",
        "box_office_as_of": "final, approximate (lower budget figure used)",
        "external_rating": "8.0",
        "external_rating_votes": 700_000,
        "colours": ((214, 120, 44), (26, 26, 40)),
        "days_ago": 20,
    },
    {
        "title": "The Great Wall",
        "original_title": "长城",
        "year": 2016,
        "runtime_minutes": 103,
        "certification": "PG-13",
        "genres": ["Action", "Fantasy", "Adventure"],
        "main_genre": "Action",
        "director": "Zhang Yimou",
        "cast": [
            ("Matt Damon", "William Garin"),
            ("Jing Tian", "Commander Lin Mae"),
            ("Pedro Pascal", "Pero Tovar"),
            ("Willem Dafoe", "Ballard"),
            ("Andy Lau", "Strategist Wang"),
        ],  # fmt: skip
        "logline": "European mercenaries hunting for gunpowder find an army on the Great "
        "Wall holding back a horde of monsters.",
        "synopsis": "William and Tovar are captured by the Nameless Order, whose colour-"
        "coded regiments defend the Wall against the Taotie, creatures that rise every "
        "sixty years.",
        "plot_summary": "William earns the trust of Commander Lin Mae as the monsters "
        "breach the Wall and head for the capital.",
        "accuracy_label": D.FICTION,
        "historical_accuracy": "A fantasy: the Wall is real, the monsters and the Nameless "
        "Order are legend dressed up as history.",
        "performance_analysis": "Jing Tian's commander is the film's real hero; Matt Damon "
        "seems unsure which film he is in.",
        "editorial_assessment": "Spectacular set pieces and bold colours, undone by a thin "
        "story. Fun with the sound up, forgotten by the next day.",
        "watch_if": [
            "want a spectacle with armies and monsters",
            "are curious about Zhang Yimou's big-budget co-production",
        ],
        "budget": 150_000_000,
        "worldwide_gross": 334_900_000,
        "domestic_gross": 45_200_000,
        "box_office_source": "Box Office Mojo",
        "box_office_as_of": "final, approximate",
        "regions": [("China", 171_000_000), ("North America", 45_200_000)],
        "external_rating": "5.9",
        "external_rating_votes": 160_000,
        "colours": ((20, 60, 40), (240, 200, 80)),
        "days_ago": 23,
    },
    {
        "title": "Zodiac",
        "year": 2007,
        "release_date": datetime.date(2007, 3, 2),
        "runtime_minutes": 157,
        "certification": "R",
        "genres": ["Crime", "Drama", "Mystery"],
        "main_genre": "Crime",
        "director": "David Fincher",
        "writers": ["James Vanderbilt"],
        "cast": [
            ("Jake Gyllenhaal", "Robert Graysmith"),
            ("Mark Ruffalo", "Inspector David Toschi"),
            ("Robert Downey Jr.", "Paul Avery"),
            ("Anthony Edwards", "Inspector William Armstrong"),
        ],  # fmt: skip
        "logline": "A cartoonist, a detective and a reporter lose years of their lives to the "
        "hunt for the Zodiac Killer.",
        "synopsis": "San Francisco, 1969: a killer taunts the police and the press with "
        "letters and ciphers. Cartoonist Robert Graysmith starts to puzzle over them and "
        "cannot stop.",
        "plot_summary": "Over two decades the case exhausts the detectives and the reporter "
        "who chase it, while Graysmith's amateur investigation consumes his family life.",
        "ending_breakdown": "Graysmith becomes convinced the killer is Arthur Leigh Allen "
        "and looks him in the eye in a hardware store; a survivor later picks Allen out of "
        "a photo line-up, but he dies before he can be charged.",
        "accuracy_label": D.FAITHFUL,
        "historical_accuracy": "Closely based on Graysmith's books and the police files, "
        "with compressed timelines and composite scenes. The case is officially unsolved; "
        "the film leans towards Graysmith's suspect, Arthur Leigh Allen, who was never "
        "charged.",
        "performance_analysis": "Gyllenhaal's earnest obsessive, Ruffalo's rumpled detective "
        "and Downey's self-destructive reporter make a superb ensemble.",
        "editorial_assessment": "A procedural about the cost of not knowing. Long and "
        "meticulous, it is Fincher's most patient film and one of his best.",
        "watch_if": [
            "enjoy true-crime procedurals",
            "like films about obsession more than about the chase",
        ],
        "budget": 65_000_000,
        "worldwide_gross": 84_800_000,
        "domestic_gross": 33_100_000,
        "box_office_source": "Box Office Mojo",
        "box_office_as_of": "approximate",
        "external_rating": "7.7",
        "external_rating_votes": 650_000,
        "colours": ((30, 38, 56), (238, 200, 60)),
        "days_ago": 26,
    },
    {
        "title": "John Carter",
        "year": 2012,
        "release_date": datetime.date(2012, 3, 9),
        "runtime_minutes": 132,
        "certification": "PG-13",
        "genres": ["Adventure", "Action", "Science Fiction"],
        "main_genre": "Adventure",
        "director": "Andrew Stanton",
        "cast": [
            ("Taylor Kitsch", "John Carter"),
            ("Lynn Collins", "Dejah Thoris"),
            ("Samantha Morton", "Sola"),
            ("Willem Dafoe", "Tars Tarkas"),
            ("Mark Strong", "Matai Shang"),
        ],  # fmt: skip
        "logline": "A Civil War veteran wakes up on Mars, where the low gravity makes him "
        "the strongest man on the planet.",
        "synopsis": "Transported to Barsoom, John Carter is captured by the four-armed "
        "Tharks and drawn into a war between two human cities and the shape-shifting "
        "Therns who manipulate it.",
        "accuracy_label": D.FICTION,
        "historical_accuracy": "Fiction, from Edgar Rice Burroughs's A Princess of Mars "
        "(1912), the book that inspired much of the space opera that came after it.",
        "performance_analysis": "Lynn Collins's scientist-princess is livelier than the "
        "stolid lead; Willem Dafoe's motion-captured Tars Tarkas is a highlight.",
        "editorial_assessment": "Handsome and earnest, better than its reputation, but the "
        "plotting is cluttered and the hero is bland.",
        "watch_if": [
            "like old-fashioned pulp adventure",
            "are curious about a famous box-office write-down",
        ],
        "budget": 263_700_000,
        "worldwide_gross": 284_100_000,
        "domestic_gross": 73_100_000,
        "box_office_source": "Box Office Mojo; budget as reported",
        "box_office_as_of": "final, approximate",
        "external_rating": "6.6",
        "external_rating_votes": 290_000,
        "colours": ((176, 72, 40), (248, 224, 176)),
        "days_ago": 29,
    },
    {
        "title": "Cats",
        "year": 2019,
        "release_date": datetime.date(2019, 12, 20),
        "runtime_minutes": 110,
        "certification": "PG",
        "genres": ["Musical", "Comedy", "Fantasy"],
        "main_genre": "Musical",
        "director": "Tom Hooper",
        "cast": [
            ("Francesca Hayward", "Victoria"),
            ("Jennifer Hudson", "Grizabella"),
            ("Judi Dench", "Old Deuteronomy"),
            ("Idris Elba", "Macavity"),
            ("Taylor Swift", "Bombalurina"),
            ("James Corden", "Bustopher Jones"),
            ("Ian McKellen", "Gus the Theatre Cat"),
        ],  # fmt: skip
        "logline": "A tribe of cats gathers for one night to choose which of them will be reborn.",
        "synopsis": "An abandoned kitten, Victoria, meets the Jellicle cats on the night of "
        "their ball, when Old Deuteronomy will pick one to ascend to the Heaviside Layer.",
        "accuracy_label": D.FICTION,
        "performance_analysis": "Francesca Hayward dances beautifully and Jennifer Hudson "
        "gives 'Memory' everything, but the digital fur swallows every performance.",
        "editorial_assessment": "The stage show's plotlessness, magnified by uncanny "
        "effects. A curiosity, not a recommendation.",
        "watch_if": [
            "are a devoted fan of the stage musical",
            "enjoy watching a famous misfire with friends",
        ],
        "budget": 95_000_000,
        "worldwide_gross": 75_500_000,
        "domestic_gross": 27_200_000,
        "box_office_source": "Box Office Mojo; budget reported as $95M to $100M",
        "box_office_as_of": "final, approximate",
        "external_rating": "2.8",
        "external_rating_votes": 60_000,
        "colours": ((60, 30, 80), (250, 210, 120)),
        "days_ago": 32,
    },
    {
        "title": "The Iron Giant",
        "year": 1999,
        "release_date": datetime.date(1999, 8, 6),
        "runtime_minutes": 86,
        "certification": "PG",
        "genres": ["Animation", "Family", "Science Fiction"],
        "main_genre": "Animation",
        "director": "Brad Bird",
        "cast": [
            ("Eli Marienthal", "Hogarth Hughes"),
            ("Jennifer Aniston", "Annie Hughes"),
            ("Harry Connick Jr.", "Dean McCoppin"),
            ("Vin Diesel", "The Iron Giant"),
            ("Christopher McDonald", "Kent Mansley"),
        ],  # fmt: skip
        "logline": "In 1957 Maine, a boy befriends a giant robot from space and hides it "
        "from a paranoid government agent.",
        "synopsis": "Hogarth Hughes finds a metal-eating giant in the woods and, with the "
        "help of a beatnik scrap dealer, tries to keep it secret while Cold War nerves fray.",
        "ending_breakdown": "When the army's missile is about to hit the town, the Giant, "
        "who was built as a weapon, chooses to be Superman and flies up to meet it.",
        "accuracy_label": D.FICTION,
        "historical_accuracy": "Fiction, loosely from Ted Hughes's The Iron Man, set "
        "convincingly in the Sputnik-era scare of late 1957.",
        "performance_analysis": "Eli Marienthal's Hogarth sounds like a real kid; Vin "
        "Diesel does wonders with a handful of words.",
        "editorial_assessment": "A hand-drawn classic that flopped on release and found its "
        "audience at home. Funny, sincere and genuinely moving.",
        "watch_if": [
            "want a family film adults will love too",
            "enjoy Cold War period detail",
        ],
        "budget": 70_000_000,
        "worldwide_gross": 23_200_000,
        "domestic_gross": 23_200_000,
        "box_office_source": "Box Office Mojo; budget reported as $70M to $80M",
        "box_office_as_of": "original 1999 run, approximate",
        "external_rating": "8.1",
        "external_rating_votes": 230_000,
        "colours": ((36, 52, 72), (200, 70, 50)),
        "days_ago": 35,
    },
    {
        "title": "The Adventures of Pluto Nash",
        "year": 2002,
        "release_date": datetime.date(2002, 8, 16),
        "runtime_minutes": 95,
        "certification": "PG-13",
        "genres": ["Comedy", "Science Fiction", "Action"],
        "main_genre": "Comedy",
        "director": "Ron Underwood",
        "cast": [
            ("Eddie Murphy", "Pluto Nash"),
            ("Randy Quaid", "Bruno"),
            ("Rosario Dawson", "Dina Lake"),
            ("Joe Pantoliano", "Mogan"),
            ("Jay Mohr", "Tony Francis"),
        ],  # fmt: skip
        "logline": "A nightclub owner on the Moon refuses to sell up to a mobster.",
        "synopsis": "In 2087 Pluto Nash runs the best club in Little America on the Moon. "
        "When he will not sell it to the mysterious Rex Crater, the club is blown up and "
        "Pluto goes looking for who is behind it.",
        "accuracy_label": D.FICTION,
        "performance_analysis": "Eddie Murphy coasts; Randy Quaid's robot bodyguard gets "
        "the few laughs.",
        "editorial_assessment": "A famously expensive misfire: flat jokes on costly sets. "
        "Skip it unless you collect box-office disasters.",
        "watch_if": ["collect legendary box-office disasters"],
        "budget": 100_000_000,
        "worldwide_gross": 7_100_000,
        "domestic_gross": 4_400_000,
        "box_office_source": "Box Office Mojo",
        "box_office_as_of": "final, approximate",
        "external_rating": "3.8",
        "external_rating_votes": 28_000,
        "colours": ((20, 20, 36), (120, 220, 230)),
        "days_ago": 38,
    },
    {
        "title": "Shadow",
        "original_title": "影",
        "year": 2018,
        "runtime_minutes": 116,
        "genres": ["Action", "Drama", "History"],
        "main_genre": "Action",
        "director": "Zhang Yimou",
        "cast": [
            ("Deng Chao", "Commander Ziyu / Jingzhou"),
            ("Sun Li", "Xiao Ai"),
            ("Zheng Kai", "King of Pei"),
        ],  # fmt: skip
        "logline": "A commander's body double is trained to take his place in a duel that "
        "could decide a kingdom.",
        "synopsis": "In the kingdom of Pei a wounded commander hides in a cave while his "
        "double, a commoner, lives his life at court and prepares to win back a lost city.",
        "accuracy_label": D.LOOSELY_BASED,
        "historical_accuracy": "Set in a version of the Three Kingdoms period; the story "
        "and kingdom are invented.",
        "colours": ((40, 40, 40), (230, 230, 230)),
        "days_ago": 1,
        "unrated": True,  # no outside rating and no readers' ratings: "too early to say"
    },
    {
        "title": "Full River Red",
        "original_title": "满江红",
        "year": 2023,
        "runtime_minutes": 159,
        "genres": ["Comedy", "Mystery", "History"],
        "main_genre": "Mystery",
        "director": "Zhang Yimou",
        "cast": [("Shen Teng", "Zhang Da"), ("Jackson Yee", "Sun Jun")],
        "logline": "Hours before a summit, a soldier and a commander must find a missing "
        "letter and a murderer in a Song dynasty compound.",
        "synopsis": "On the eve of talks with the Jin, an envoy is murdered in the "
        "chancellor's compound and a secret letter disappears. A lowly soldier and a young "
        "commander have until dawn to find the killer and the letter.",
        "accuracy_label": D.FICTION,
        "colours": ((120, 20, 20), (240, 220, 170)),
        "scheduled_in_days": 14,
    },
    {
        "title": "Cliff Walkers",
        "original_title": "悬崖之上",
        "year": 2021,
        "runtime_minutes": 120,
        "genres": ["Thriller", "History", "Drama"],
        "main_genre": "Thriller",
        "director": "Zhang Yimou",
        "cast": [
            ("Zhang Yi", "Zhang Xianchen"),
            ("Yu Hewei", "Zhou Yi"),
            ("Qin Hailu", "Wang Yu"),
            ("Zhu Yawen", "Chu Liang"),
            ("Liu Haocun", "Xiao Lan"),
        ],  # fmt: skip
        "logline": "Four Communist agents parachute into 1930s Manchukuo on a secret mission "
        "and find the enemy waiting.",
        "worldwide_gross": 183_000_000,
        "box_office_as_of": "approximate; budget not yet found",
        "colours": ((220, 226, 232), (30, 40, 60)),
        "draft": True,
    },
]


def _font(size):
    return ImageFont.load_default(size=size)


def _fit_title(title, *, max_width):
    """The largest font (and its lines) that sets `title` in at most four lines."""
    for size in (150, 132, 116, 100, 88, 76, 64):
        font, lines = _font(size), []
        for word in title.split():
            candidate = f"{lines[-1]} {word}" if lines else word
            if lines and font.getlength(candidate) <= max_width:
                lines[-1] = candidate
            else:
                lines.append(word)
        if len(lines) <= 4 and all(font.getlength(line) <= max_width for line in lines):
            return font, lines
    return font, lines


def poster_jpeg(title, year, director, colours):
    """A plain 2:3 title card: coloured background, a rule, the title, the year."""
    background, ink = colours
    width, height = 1000, 1500
    card = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(card)
    margin = 70
    draw.rectangle([margin // 2, margin // 2, width - margin // 2, height - margin // 2],
                   outline=ink, width=4)  # fmt: skip
    draw.text((width // 2, 190), "A FILM BY", font=_font(34), fill=ink, anchor="mm")
    draw.text((width // 2, 250), director.upper(), font=_font(46), fill=ink, anchor="mm")

    font, lines = _fit_title(title.upper(), max_width=width - 4 * margin)
    line_height = int(font.size * 1.12)
    top = 800 - (len(lines) - 1) * line_height // 2
    for i, line in enumerate(lines):
        draw.text((width // 2, top + i * line_height), line, font=font, fill=ink, anchor="mm")
    draw.line([width // 2 - 120, 1180, width // 2 + 120, 1180], fill=ink, width=4)
    draw.text((width // 2, 1270), str(year), font=_font(70), fill=ink, anchor="mm")
    buffer = io.BytesIO()
    card.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Load the demo catalogue (One Second and fifteen more films) and a demo editor."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_EDITOR_PASSWORD", DEFAULT_PASSWORD),
            help="Password of the demo editor account (default: $DEMO_EDITOR_PASSWORD or "
            f"{DEFAULT_PASSWORD!r}).",
        )
        parser.add_argument(
            "--allow-production", action="store_true",
            help="Run even with DJANGO_ENV=production (it creates a staff account).",
        )  # fmt: skip

    def handle(self, *args, password, allow_production, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "load_demo creates a staff account with a known password; it refuses to run "
                "with DJANGO_ENV=production (pass --allow-production if you really mean it)."
            )
        self.changed = 0
        with transaction.atomic():
            providers = {slug: self.provider(slug, *info) for slug, info in PROVIDERS.items()}
            movies = [self.film(film, providers) for film in FILMS]
            if self.changed:  # a film, a credit or a name its search document holds
                refresh_search_documents([movie.pk for movie in movies])
            editor = self.editor(password)
            # Demo readers' ratings and reviews, through reviews.services (reviews/demo.py);
            # films marked "unrated" keep showing "too early to say".
            rated = [m.pk for m, film in zip(movies, FILMS, strict=True) if not film.get("unrated")]
            reviews = load_demo_reviews(movies=Movie.objects.filter(pk__in=rated).order_by("pk"))
        verb = "Loaded" if self.changed else "Demo data already up to date:"
        self.stdout.write(f"{verb} {len(FILMS)} demo films ({self.changed} rows written).")
        self.stdout.write(f"Demo reader reviews: {reviews} written or updated.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo editor: http://127.0.0.1:{os.environ.get('PORT', '8000')}/admin/  "
                f"username: {editor.username}  "
                f"password: {password}"
            )
        )

    # --- writing only what differs

    def sync(self, model, lookup, values=None, create_only=None, prepare_new=None):
        """The row matching `lookup`, created or updated so that it has `values`.

        `create_only` values are used when the row is new and never overwrite an editor's;
        `prepare_new(obj)` finishes a new row before its one save.
        """
        values = values or {}
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values, **(create_only or {}))
            if prepare_new:
                prepare_new(obj)
        else:
            differing = {k: v for k, v in values.items() if getattr(obj, k) != v}
            if not differing:
                return obj
            for key, value in differing.items():
                setattr(obj, key, value)
        obj.full_clean()
        obj.save()
        self.changed += 1
        return obj

    def provider(self, slug, name, homepage, _search):
        return self.sync(Provider, {"slug": slug}, {"name": name, "homepage": homepage})

    def person(self, name):
        return self.sync(Person, {"slug": slugify(name)}, {"name": name})

    def genre(self, name):
        genre = Genre.objects.filter(name=name).first()
        return genre or self.sync(Genre, {"slug": slugify(name)}, {"name": name})

    def film(self, film, providers):
        genres = [self.genre(name) for name in film["genres"]]
        now = timezone.now()
        if film.get("draft"):
            status, published_at = Movie.Status.DRAFT, None
        elif "scheduled_in_days" in film:
            status = Movie.Status.PUBLISHED
            published_at = now + datetime.timedelta(days=film["scheduled_in_days"])
        else:
            status = Movie.Status.PUBLISHED
            published_at = now - datetime.timedelta(days=film.get("days_ago", 30))
        rating = film.get("external_rating")
        values = {
            "title": film["title"],
            "original_title": film.get("original_title", ""),
            "year": film["year"],
            "release_date": film.get("release_date"),
            "runtime_minutes": film.get("runtime_minutes"),
            "certification": film.get("certification", ""),
            "main_genre": next(g for g in genres if g.name == film["main_genre"]),
            "logline": film.get("logline", ""),
            "synopsis": film.get("synopsis", ""),
            "plot_summary": film.get("plot_summary", ""),
            "ending_breakdown": film.get("ending_breakdown", ""),
            "accuracy_label": film.get("accuracy_label", ""),
            "historical_accuracy": film.get("historical_accuracy", ""),
            "performance_analysis": film.get("performance_analysis", ""),
            "editorial_assessment": film.get("editorial_assessment", ""),
            "watch_if": "\n".join(film.get("watch_if", [])),
            "currency": "USD",
            "budget": film.get("budget"),
            "worldwide_gross": film.get("worldwide_gross"),
            "domestic_gross": film.get("domestic_gross"),
            "box_office_source": film.get("box_office_source", ""),
            "box_office_as_of": film.get("box_office_as_of", ""),
            "external_rating": None if rating is None else Decimal(rating),
            "external_rating_votes": film.get("external_rating_votes"),
            "external_rating_source": "IMDb" if rating else "",
            "is_featured": film.get("featured", False),
            "status": status,
        }
        slug = slugify(f"{film['title']} {film['year']}")

        def attach_poster(movie):
            jpeg = poster_jpeg(film["title"], film["year"], film["director"], film["colours"])
            processed = images.process_upload(ContentFile(jpeg, name=f"{slug}.jpg"))
            images.attach(movie, "poster", processed)

        movie = self.sync(
            Movie,
            {"slug": slug},
            values,
            create_only={"published_at": published_at},
            prepare_new=attach_poster,
        )
        if set(movie.genres.all()) != set(genres):
            movie.genres.set(genres)
            self.changed += 1

        credits = [(film["director"], Credit.Role.DIRECTOR, "", None)]
        credits += [(name, Credit.Role.WRITER, "", None) for name in film.get("writers", [])]
        credits += [(name, Credit.Role.COMPOSER, "", None) for name in film.get("composers", [])]
        credits += [
            (name, Credit.Role.CAST, character, order)
            for order, (name, character) in enumerate(film.get("cast", []), 1)
        ]
        for name, role, character, order in credits:
            self.sync(
                Credit,
                {"movie": movie, "person": self.person(name), "role": role},
                {"character_name": character, "billing_order": order},
            )
        for region, amount in film.get("regions", []):
            self.sync(RegionalGross, {"movie": movie, "region": region}, {"amount": amount})

        if not film.get("draft") and "scheduled_in_days" not in film:
            for slug_, country, kind in film.get("offers", STANDARD_OFFERS):
                search = PROVIDERS[slug_][2].format(q=quote_plus(film["title"]))
                self.sync(
                    Availability,
                    {"movie": movie, "provider": providers[slug_], "country": country,
                     "kind": kind},
                    {"link": search, "last_checked": CHECKED},
                )  # fmt: skip

        if not movie.poster or not default_storage.exists(movie.poster.name):  # lost meanwhile
            attach_poster(movie)
            movie.save()
            self.changed += 1
        return movie

    def editor(self, password):
        User = get_user_model()
        user = User.objects.filter(username="editor").first()
        if user is None:
            user = User(username="editor", email="editor@example.com")
        wanted = {"is_staff": True, "is_superuser": False, "is_active": True}
        dirty = user.pk is None or any(getattr(user, k) != v for k, v in wanted.items())
        for key, value in wanted.items():
            setattr(user, key, value)
        if not user.check_password(password):
            user.set_password(password)
            dirty = True
        if dirty:
            user.save()
            self.changed += 1
        editors = Group.objects.get(name="Editors")
        if not user.groups.filter(pk=editors.pk).exists():
            user.groups.add(editors)
            self.changed += 1
        return user
