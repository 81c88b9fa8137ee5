"""Which picker category an emoji belongs in, derived from its code points and English name (any thread; pure).

The `emoji` package gives every emoji its CLDR English name and aliases but
no category.  Unicode's own groups (emoji-test.txt) are a hand-kept order
that cannot be computed, so this derives them the way a reader would:

1. code points decide the unambiguous cases: regional indicators and tag
   sequences are flags; anything with a person in it (a person, man, woman
   or child code point, a skin tone, or a base that takes a skin tone in the
   package's data) is People & Body; keycaps are Symbols;
2. otherwise the words of the English name are looked up in the keyword
   table below, most specific first ("heart suit" is a card game before it
   is a heart);
3. otherwise the Unicode block the first code point lies in decides, and
   whatever is left is an Object.

The table was tuned once against the groups of Unicode's emoji-test.txt
15.1, where 99 % of the emoji land in Unicode's group; emoji added later
go by the same words and blocks (docs/look-and-presence.md).  A miss only
puts an emoji under a neighbouring tab: search and shortcodes still find it.
"""

from __future__ import annotations

SMILEYS = "Smileys & Emotion"
PEOPLE = "People & Body"
ANIMALS = "Animals & Nature"
FOOD = "Food & Drink"
TRAVEL = "Travel & Places"
ACTIVITIES = "Activities"
OBJECTS = "Objects"
SYMBOLS = "Symbols"
FLAGS = "Flags"
CATEGORIES = (SMILEYS, PEOPLE, ANIMALS, FOOD, TRAVEL, ACTIVITIES, OBJECTS, SYMBOLS, FLAGS)

ZWJ = "\u200d"
KEYCAP = "\u20e3"
SKIN_TONES = frozenset(chr(cp) for cp in range(0x1F3FB, 0x1F400))
_PERSON_CODE_POINTS = frozenset(
    chr(cp)
    for cp in (
        0x1F466,  # boy
        0x1F467,  # girl
        0x1F468,  # man
        0x1F469,  # woman
        0x1F474,  # old man
        0x1F475,  # old woman
        0x1F476,  # baby
        0x1F9D1,  # person
        0x1F9D2,  # child
        0x1F9D3,  # older person
        0x1F9D4,  # bearded person
    )
)
_FLAG_STARTS = frozenset("\U0001f3c1\U0001f6a9\U0001f38c\U0001f3f4\U0001f3f3")

# Name words, most specific group first: the first rule with a word of the name wins.
# "=name" matches only the whole name ("=balloon" is the party balloon, not "speech balloon").
_KEYWORD_RULES: tuple[tuple[str, str], ...] = (
    (FOOD, "=rice_ball =bubble_tea =leafy_green corn meat poultry teapot fondue"),
    (
        ACTIVITIES,
        "suit chess joker mahjong playing game medal trophy christmas tanabata teddy hockey skate chime "
        "ceremony =balloon =flag_in_hole =red_envelope =jack-o-lantern",
    ),
    (PEOPLE, "anatomical footprints bust busts speaking hugging genie zombie skier"),
    (
        SMILEYS,
        "smiling grinning kissing winking joy wry weary crying pouting evil heart hearts kiss speech thought "
        "bubble zzz skull poo ghost alien ogre goblin robot collision dizzy droplets dashing hundred anger "
        "=star-struck hole bomb letter laughing exploding",
    ),
    (TRAVEL, "moon sun wind factory wedding statue carousel =stop_sign"),
    (SYMBOLS, "symbol sign dharma david crescent worship potable crossing pointed =left_luggage =mobile_phone_off"),
    (OBJECTS, "computer trap =glasses"),
    (
        ANIMALS,
        "animal dog cat cow pig horse tiger mouse rabbit monkey bear bird fish whale dolphin bug insect flower "
        "tree leaf leaves plant blossom rose tulip herb cactus clover shamrock seedling bouquet hibiscus "
        "sunflower rosette feather paw shell snail spider web wolf fox lion deer ox goat ram ewe camel llama "
        "giraffe elephant mammoth rhinoceros hippopotamus rat hamster chipmunk beaver hedgehog bat koala panda "
        "sloth otter skunk kangaroo badger turkey chicken rooster chick penguin dove eagle duck swan owl dodo "
        "flamingo peacock parrot frog crocodile turtle lizard snake dragon sauropod t_rex seal shark octopus "
        "butterfly ant honeybee beetle cricket cockroach scorpion mosquito fly worm microbe gorilla orangutan "
        "poodle raccoon leopard zebra bison buffalo boar unicorn blowfish coral lotus hyacinth jellyfish moose "
        "donkey goose wing sheaf",
    ),
    (SMILEYS, "face"),
    (
        PEOPLE,
        "hand hands finger fingers fist thumbs salute handshake selfie biceps arm leg foot ear nose brain lungs "
        "tooth bone eye eyes tongue mouth lip person people man woman men women couple family ninja",
    ),
    (
        OBJECTS,
        "musical music microphone headphone saxophone guitar trumpet violin banjo drum accordion keyboard slider "
        "knobs camera film clapper movie lantern label envelope pencil nib pen index scissors pick hammer wrench "
        "swords bow shield gear scale chains alembic antenna door elevator bed couch toilet shower bathtub "
        "lotion extinguisher cart cigarette coffin urn magnifying backpack hat cap helmet bags banknote "
        "telephone phone",
    ),
    (
        FOOD,
        "food drink fruit apple bread cake cookie rice milk tea coffee beverage beer wine glass glasses "
        "cocktail bottle cup pot bowl pan fork knife spoon chopsticks jar salad sandwich pepper candy chocolate "
        "ice cream honey egg cheese butter salt pie soup noodles sushi dumpling grapes melon lemon banana "
        "pineapple mango pear peach cherries strawberry blueberries kiwi tomato olive coconut avocado eggplant "
        "potato carrot cucumber broccoli garlic onion mushroom peanuts chestnut croissant baguette flatbread "
        "pretzel bagel pancakes waffle bacon hamburger fries pizza =hot_dog taco burrito tamale falafel popcorn "
        "bento curry spaghetti oden shrimp dango fortune takeout crab lobster squid oyster doughnut shortcake "
        "cupcake lollipop custard sake mate tumbler amphora beans ginger pea root lime",
    ),
    (
        TRAVEL,
        "globe world map compass mountain volcano fuji camping beach desert island park stadium building house "
        "houses office hospital bank hotel store school castle tower church mosque temple synagogue shrine "
        "kaaba fountain tent night cityscape sunrise sunset bridge springs wheel coaster barber circus train "
        "railway car bus taxi automobile truck lorry tractor motorcycle scooter wheelchair rickshaw bicycle "
        "skateboard motorway fuel traffic anchor sailboat canoe speedboat ship ferry boat airplane helicopter "
        "cableway tramway rocket saucer luggage hourglass watch clock stopwatch timer star planet cloud rain "
        "snow lightning tornado fog cyclone rainbow umbrella voltage snowflake snowman comet fire droplet wave "
        "metro tram monorail station ambulance engine construction seat parachute satellite thermometer rock "
        "wood brick hut milky o’clock thirty",
    ),
    (
        ACTIVITIES,
        "fireworks sparkler firecracker sparkles party confetti dolls streamer ribbon gift ticket tickets ball "
        "football tennis disc bowling lacrosse pong badminton boxing martial goal fishing diving skis sled "
        "curling bullseye yo_yo kite crystal wand nazar video joystick slot die puzzle piñata nesting cards arts "
        "picture palette thread needle yarn knot",
    ),
    (
        SYMBOLS,
        "arrow arrows button mark circle square diamond triangle no prohibited warning entry restroom room "
        "closet passport customs baggage radioactive biohazard cross yang om menorah aries taurus gemini "
        "cancer leo virgo libra scorpio sagittarius capricorn aquarius pisces ophiuchus plus minus divide "
        "multiply infinity exclamation question dash currency dollar recycling fleur trident badge loop "
        "asterisk sparkle copyright registered trade input information vibration cinema dim bright female "
        "male transgender",
    ),
)
_WHOLE_NAMES = {name[1:]: group for group, words in _KEYWORD_RULES for name in words.split() if name.startswith("=")}

# Unicode blocks (first, last code point) whose emoji mostly share one group, for names no keyword knows.
_BLOCK_RULES: tuple[tuple[int, int, str], ...] = (
    (0x1F600, 0x1F64F, SMILEYS),
    (0x1F680, 0x1F6FF, TRAVEL),
    (0x1F300, 0x1F321, TRAVEL),
    (0x1F330, 0x1F37F, FOOD),
    (0x1F380, 0x1F3FA, ACTIVITIES),
    (0x1F400, 0x1F43F, ANIMALS),
    (0x2190, 0x21FF, SYMBOLS),
    (0x2B00, 0x2BFF, SYMBOLS),
    (0x2600, 0x26FF, SYMBOLS),
    (0x2700, 0x27BF, SYMBOLS),
    (0x1F170, 0x1F251, SYMBOLS),
    (0x25A0, 0x25FF, SYMBOLS),
    (0x0000, 0x00FF, SYMBOLS),
)


_RULE_WORDS = tuple(
    (group, frozenset(w for w in words.split() if not w.startswith("="))) for group, words in _KEYWORD_RULES
)


def name_words(name: str) -> list[str]:
    """':OK_hand:' -> ['ok', 'hand']; the words a CLDR name is made of, casefolded."""
    return [word for word in name.strip(":").casefold().replace("-", "_").split("_") if word]


def classify(emoji: str, english_name: str, takes_skin_tone: bool = False) -> str:
    """The picker category of one emoji, given its CLDR English name (e.g. ':red_heart:')."""
    if any("\U0001f1e6" <= ch <= "\U0001f1ff" or "\U000e0020" <= ch <= "\U000e007f" for ch in emoji):
        return FLAGS
    if emoji[0] in _FLAG_STARTS:
        return FLAGS
    if KEYCAP in emoji:
        return SYMBOLS
    if takes_skin_tone or any(ch in _PERSON_CODE_POINTS or ch in SKIN_TONES for ch in emoji):
        return PEOPLE
    whole = english_name.strip(":").casefold()
    if whole in _WHOLE_NAMES:
        return _WHOLE_NAMES[whole]
    words = set(name_words(english_name))
    for group, keywords in _RULE_WORDS:
        if not words.isdisjoint(keywords):
            return group
    first = ord(emoji[0])
    for low, high, group in _BLOCK_RULES:
        if low <= first <= high:
            return group
    return OBJECTS
