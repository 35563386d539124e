"""Demo readers and conversations for ``manage.py load_demo`` (all invented).

Each thread is a list of ``(key, parent key or None, author, minutes after the
article went out, body)``; an author is a guest ``("guest", name, email)`` or a demo
reader's username.
"""

READERS = (
    {"username": "reader", "email": "reader@example.com", "display_name": "Maya Lindqvist"},
    {"username": "tomas", "email": "tomas@example.com", "display_name": "Tomás Herrera"},
)
READER_PASSWORD = "newsite-demo"  # noqa: S105 - a published demo login, local use only

THREADS = {
    "lake-basin-states-agree-to-share-drought-data": [
        (
            "a",
            None,
            ("guest", "Joseph K.", "joseph@example.org"),
            35,
            "Real-time gauge data is the boring, essential part. Good to see it agreed.",
        ),
        (
            "b",
            "a",
            "reader",
            52,
            "Agreed, though the article says *next month*. I'd like to know who pays for the "
            "stations that are broken today.",
        ),
        (
            "c",
            "b",
            ("guest", "Wanjiru", "wanjiru@example.org"),
            75,
            "The regional fund covers repairs, per the ministry statement last week.",
        ),
        (
            "d",
            None,
            "tomas",
            120,
            "Herders have been asking for this for years. Two failed seasons should not be "
            "what it takes.",
        ),
    ],
    "lisbon-council-approves-rent-cap-after-all-night-session": [
        (
            "a",
            None,
            "reader",
            20,
            "9 to 8 is a thin margin for something this big. Expect a referendum push.",
        ),
        (
            "b",
            "a",
            ("guest", "Rui", "rui@example.org"),
            44,
            "Landlords' groups already said they'll go to court, so maybe the courts first.",
        ),
        (
            "c",
            None,
            ("guest", "Helena", "helena@example.org"),
            90,
            "Does the cap apply to new contracts too? The article isn't clear on that.",
        ),
    ],
    "tromso-fjord-ice-breaks-up-earliest-on-record": [
        ("a", None, "tomas", 15, "Sixty years of records and this is the earliest. Sobering."),
        (
            "b",
            "a",
            "reader",
            40,
            "The plankton point is the one to watch. Everything up the food chain depends on "
            "the timing.",
        ),
    ],
    "mexico-city-oldest-cinema-reopens": [
        (
            "a",
            None,
            ("guest", "Lucía", "lucia@example.org"),
            30,
            "I went to the first screening. The painted ceiling alone is worth the ticket!",
        ),
    ],
}
