# The site's English date formats (a news desk's "3 Dec 2026, 14:05", 24-hour clock);
# Serbian and Spanish use Django's own for their locales.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
TIME_FORMAT = "H:i"
