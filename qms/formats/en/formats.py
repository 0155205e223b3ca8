"""English formats for a Dutch product: day before month and the 24-hour clock, as in Dutch (Django's
``en`` formats are American: 12/03/2026, 7:11 p.m.). Numbers keep the English decimal point; what is
not set here comes from Django's ``en`` formats. Dutch keeps Django's ``nl`` formats."""

DATE_FORMAT = "j F Y"  # 3 December 2026
TIME_FORMAT = "H:i"  # 19:11
DATETIME_FORMAT = "j F Y H:i"  # 3 December 2026 19:11
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 3 December
SHORT_DATE_FORMAT = "d-m-Y"  # 03-12-2026
SHORT_DATETIME_FORMAT = "d-m-Y H:i"  # 03-12-2026 19:11
FIRST_DAY_OF_WEEK = 1  # Monday

# What people type. ISO first: it is what the date pickers send, and a date widget without a format
# of its own shows its value in the first one.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-12-03
    "%d-%m-%Y",  # 03-12-2026
    "%d/%m/%Y",  # 03/12/2026
    "%d-%m-%y",  # 03-12-26
    "%d/%m/%y",  # 03/12/26
    "%d %B %Y",  # 3 December 2026
    "%d %b %Y",  # 3 Dec 2026
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # 19:11:59
    "%H:%M:%S.%f",  # 19:11:59.000200
    "%H:%M",  # 19:11
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # 2026-12-03 19:11:59
    "%Y-%m-%d %H:%M:%S.%f",  # 2026-12-03 19:11:59.000200
    "%Y-%m-%d %H:%M",  # 2026-12-03 19:11
    "%d-%m-%Y %H:%M:%S",  # 03-12-2026 19:11:59
    "%d-%m-%Y %H:%M",  # 03-12-2026 19:11
    "%d/%m/%Y %H:%M:%S",  # 03/12/2026 19:11:59
    "%d/%m/%Y %H:%M",  # 03/12/2026 19:11
]
