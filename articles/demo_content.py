"""Demo sections and articles that ``manage.py load_demo`` puts in an empty database.

Every event, person, company and agency here is invented. Each article's ``body`` is a
tuple of Markdown blocks (paragraphs, a ``## heading``, a ``> quote`` or a list) that the
command joins with blank lines. ``hours_ago`` sets ``published_at`` relative to the moment
the article is first loaded.
"""

AGENCY = "Meridian Wire"
STAFF = "Newsite staff"

SECTIONS = (
    {
        "name": "World",
        "slug": "world",
        "description": "International news from our correspondents and agency partners.",
        "position": 1,
    },
    {
        "name": "Politics",
        "slug": "politics",
        "description": "Elections, parliaments, city halls and the policies they make.",
        "position": 2,
    },
    {
        "name": "Business",
        "slug": "business",
        "description": "Companies, markets, trade and the people who work in them.",
        "position": 3,
    },
    {
        "name": "Science & Climate",
        "slug": "science-climate",
        "description": "Research, the environment and the changing climate.",
        "position": 4,
    },
    {
        "name": "Culture",
        "slug": "culture",
        "description": "Books, film, music, museums and the arts.",
        "position": 5,
    },
)

ARTICLES = (
    {
        "section": "world",
        "slug": "lake-basin-states-agree-to-share-drought-data",
        "title": "Lake basin states agree to share drought data in real time",
        "standfirst": (
            "Five governments around the Kerio-Tana basin will pool rainfall and river-gauge "
            "readings from next month, after two failed seasons left nearly a million herders "
            "short of water."
        ),
        "dateline": "NAIROBI",
        "credits": "Reporting by Amina Odhiambo; editing by Tom Reyes",
        "source": AGENCY,
        "hours_ago": 3,
        "body": (
            "Water ministers from five East African states signed an agreement in Nairobi on "
            "Tuesday to share drought data in real time, the first such arrangement for the "
            "Kerio-Tana basin since a regional commission was set up there two decades ago.",
            "Under the deal, readings from 240 rain gauges and 38 river stations will feed a "
            "single public dashboard run by the basin commission, replacing monthly reports "
            "that officials said often arrived too late to move water trucks or livestock.",
            '> "When the rains fail, a week is the difference between a herd that survives '
            "and one that does not,\" said Grace Wanjiru Mbatia, the commission's executive "
            'secretary. "We have been losing that week to paperwork."',
            "Two consecutive poor rainy seasons have left an estimated 900,000 pastoralists "
            "in the basin dependent on trucked water, according to the commission. Aid "
            "groups have warned that a third failed season could push families to sell "
            "breeding stock, setting back recovery by years.",
            "The agreement does not settle older disputes over dam releases upstream, which "
            "delegates said would be taken up at a separate meeting in March. Funding for the "
            "gauges, about $14 million over four years, is to come from member states and a "
            "regional development fund.",
        ),
    },
    {
        "section": "world",
        "slug": "valparaiso-dockworkers-end-eleven-day-strike",
        "title": "Valparaíso dockworkers end 11-day strike after night-shift deal",
        "standfirst": (
            "Cranes restarted at Chile's second-busiest container port on Thursday after the "
            "union accepted extra pay and rest breaks for night crews, clearing a queue of "
            "more than 30 ships."
        ),
        "dateline": "VALPARAÍSO, Chile",
        "credits": "Reporting by Rodrigo Ferrada; additional reporting by Lucía Benavente; "
        "editing by Helen Marsh",
        "source": AGENCY,
        "hours_ago": 20,
        "body": (
            "Dockworkers in Valparaíso returned to work on Thursday, ending an 11-day strike "
            "that had left more than 30 vessels waiting offshore and delayed fruit exports at "
            "the height of the cherry season.",
            "Members of the port's largest union voted 612 to 148 to accept an agreement that "
            "raises night-shift pay by 18 percent and guarantees a 30-minute break every four "
            "hours, said union president Marcelo Araya Soto.",
            "The terminal operator, Pacífico Sur Terminales, said it expected to clear the "
            "backlog within nine days. Exporters' associations had estimated losses of about "
            "$6 million a day, mostly in perishable produce bound for Asia.",
            'Mr Araya said the talks had turned on fatigue rather than wages. "Our members '
            'were working twelve hours on the cranes with nobody to relieve them," he told '
            'reporters at the port gate. "That is how accidents happen."',
            "The company said the deal would add roughly 2 percent to its annual labour costs "
            "and that it would hire 70 additional crane operators by the end of the year.",
        ),
    },
    {
        "section": "politics",
        "slug": "lisbon-council-approves-rent-cap-after-all-night-session",
        "title": "Lisbon council approves rent cap after all-night session",
        "standfirst": (
            "Councillors voted 9 to 8 to limit annual rent rises in the city's historic "
            "districts to 2 percent, a measure landlords' groups say they will challenge "
            "in court."
        ),
        "dateline": "LISBON",
        "credits": "Reporting by Inês Carvalho; editing by Daniel Okafor",
        "source": STAFF,
        "hours_ago": 8,
        "body": (
            "Lisbon's municipal council narrowly approved a cap on rent increases in six "
            "central districts early on Wednesday, after a debate that began the previous "
            "afternoon and ran past 5 a.m.",
            "The measure limits annual rises on existing tenancies to 2 percent for five "
            "years and requires landlords to register short-term lets with the city. It "
            "passed 9 to 8, with one independent councillor, Rui Matos Pereira, switching "
            "sides after amendments exempting buildings renovated within the past three "
            "years.",
            "## What happens next",
            "The cap takes effect on the first day of next quarter, but the national "
            "association of property owners said it would ask an administrative court to "
            "suspend it, arguing that rent policy is a matter for parliament rather than "
            "city halls.",
            '> "We are not against tenants. We are against a rule that treats every owner '
            "as a speculator,\" the association's president, Filipa Andrade, said outside "
            "the council chamber.",
            "Tenants' groups, who had packed the public gallery through the night, greeted "
            "the result with applause. Deputy mayor Joana Tavares, who drafted the measure, "
            'said the council had "chosen the people who live here over the people who '
            'visit".',
        ),
    },
    {
        "section": "politics",
        "slug": "review-panel-backs-votes-at-sixteen-in-local-elections",
        "title": "Review panel backs votes at 16 in local elections",
        "standfirst": (
            "An independent panel on electoral reform recommends lowering the voting age for "
            "municipal ballots, saying early voters are more likely to keep voting for life."
        ),
        "dateline": "WELLINGTON",
        "credits": "Reporting by Mere Tākuta; editing by Simon Hale",
        "source": AGENCY,
        "hours_ago": 27,
        "ratings_enabled": False,
        "body": (
            "An independent panel reviewing local election rules has recommended that "
            "16- and 17-year-olds be allowed to vote for city and regional councils, in a "
            "report published on Monday after 18 months of public hearings.",
            "The panel, chaired by retired judge Anahera Whitcombe, said turnout in local "
            "elections had fallen below 40 percent in most districts and that evidence from "
            "other countries suggested people who vote young tend to keep voting.",
            "The report also proposes moving all local polls to a single week, allowing "
            "online voting in pilot districts and publishing candidates' campaign spending "
            "within 30 days of the vote.",
            "Opposition politicians were divided. Some welcomed the plan as overdue; others "
            "said teenagers should first receive civics education in schools, which the "
            'panel acknowledged was "patchy at best".',
            "The government has said it will respond to the recommendations within six "
            "months. Any change to the voting age would require a bill to pass parliament.",
        ),
    },
    {
        "section": "business",
        "slug": "halvard-lines-orders-methanol-ready-container-ships",
        "title": "Halvard Lines orders 12 methanol-ready container ships",
        "standfirst": (
            "The Scandinavian carrier's $2.1 billion order is the largest yet for dual-fuel "
            "vessels this year, though executives conceded that green methanol remains scarce "
            "and expensive."
        ),
        "dateline": "SINGAPORE",
        "credits": "Reporting by Wei Ling Tan; editing by Marcus Feld",
        "source": AGENCY,
        "hours_ago": 31,
        "body": (
            "Container carrier Halvard Lines has ordered 12 ships that can run on methanol "
            "as well as conventional fuel oil, in a deal worth about $2.1 billion, the company "
            "said at a shipping conference in Singapore on Tuesday.",
            "The vessels, each able to carry around 9,000 containers, will be built at two "
            "yards in South Korea and delivered between 2028 and 2030. Halvard said the "
            "order would replace older ships rather than add capacity.",
            "Chief executive Sigrid Aalvik said the main obstacles to running the new fleet "
            "on cleaner fuel lay outside the company's control:",
            "- supplies of green methanol, made from biomass or renewable power, are still a "
            "fraction of what the industry would need;\n"
            "- only a handful of ports offer methanol bunkering at scale;\n"
            "- the fuel costs two to three times as much as conventional marine fuel oil for "
            "the same energy.",
            '"We are buying ships for 25 years, so we are buying for the fuel we expect, '
            'not the fuel we have," Ms Aalvik said. She added that Halvard had signed '
            "letters of intent with two suppliers but declined to name them.",
            "Analysts at Harbourline Research said the order reflected pressure from large "
            "retailers seeking to cut emissions in their supply chains, and from a global "
            "carbon levy on shipping that regulators are expected to finalise next year.",
        ),
    },
    {
        "section": "business",
        "slug": "antioquia-coffee-cooperative-pays-record-premium",
        "title": "Antioquia coffee cooperative pays growers a record premium",
        "standfirst": (
            "High prices for arabica beans let a cooperative of 4,800 small farmers pay its "
            "largest bonus in 30 years, but members warn that costs for fertiliser and labour "
            "are climbing just as fast."
        ),
        "dateline": "MEDELLÍN, Colombia",
        "credits": "Reporting by Camila Restrepo; editing by Tom Reyes",
        "source": AGENCY,
        "hours_ago": 52,
        "body": (
            "A coffee cooperative in Colombia's Antioquia province said on Friday it would "
            "pay members a premium of 310,000 pesos per 125-kilogram load on top of the "
            "market price, its highest in three decades.",
            "The Cooperativa Cafetera del Suroeste, which buys from about 4,800 mostly "
            "smallholder farms, said strong arabica prices and a good harvest in its "
            "high-altitude districts had lifted its surplus for the year.",
            "General manager Hernán Ospina Velásquez said the payout would be made before "
            "Christmas so that farmers could settle debts taken on during two weaker years.",
            "Growers welcomed the news but said the gains were being eaten by rising costs. "
            '"Fertiliser has doubled, and pickers are hard to find because young people go '
            'to the city," said Luz Marina Zapata, who farms three hectares near Andes.',
            "The cooperative said it would also put part of the surplus into a fund to help "
            "members replant ageing trees with rust-resistant varieties.",
        ),
    },
    {
        "section": "business",
        "slug": "lagos-payments-start-up-raises-series-b",
        "title": "Lagos payments start-up Kobo Rail raises $48 million",
        "standfirst": (
            "The firm, which lets market traders accept card and transfer payments on basic "
            "phones, plans to expand to Ghana and Côte d'Ivoire despite a tougher climate for "
            "African tech funding."
        ),
        "dateline": "LAGOS",
        "credits": "Reporting by Chidi Nwankwo; editing by Helen Marsh",
        "source": AGENCY,
        "hours_ago": 110,
        "body": (
            "Nigerian payments company Kobo Rail has raised $48 million in a Series B round "
            "led by a consortium of regional investors, it said on Monday, one of the larger "
            "fundraisings by an African start-up this year.",
            "Founded in 2020 by former bank engineers Adaeze Eze and Tunde Bakare, the company "
            "sells a small card reader that pairs with feature phones over audio, letting "
            "market traders take payments without a smartphone or a data plan.",
            "Kobo Rail says it processes about 1.3 million transactions a day for 410,000 "
            "merchants, most of them in open-air markets in Lagos, Kano and Port Harcourt.",
            "Venture funding for African start-ups has fallen sharply from its peak, and "
            "several payments firms have cut staff. Ms Eze said the company had been "
            "profitable on an operating basis for two quarters and would use the money "
            "mainly to enter Ghana and Côte d'Ivoire.",
            '"Traders do not care about the funding cycle," she said. "They care about '
            'whether the money arrives before they close the stall."',
        ),
    },
    {
        "section": "science-climate",
        "slug": "tromso-fjord-ice-breaks-up-earliest-on-record",
        "title": "Fjord ice near Tromsø breaks up earliest in 60-year record",
        "standfirst": (
            "Researchers say the early thaw fits a long warming trend in the Arctic, and that "
            "its effects on plankton and fish will take several seasons to measure."
        ),
        "dateline": "TROMSØ, Norway",
        "credits": "Reporting by Ingrid Solheim; editing by Marcus Feld",
        "source": AGENCY,
        "hours_ago": 14,
        "body": (
            "Sea ice in a fjord monitored by scientists since the 1960s broke up on "
            "April 2 this year, 19 days earlier than the long-term average and the earliest "
            "date in the record, researchers at the Nordlys Polar Institute said on Friday.",
            "The institute has kept daily logs of ice cover in the fjord since 1964, first "
            "by observers on the shore and later with cameras and satellite images. Eight "
            "of the ten earliest break-ups have occurred since 2005.",
            "## Why a small fjord matters",
            "Lead researcher Dr Henrik Aasheim said that long, continuous records from a "
            "single place are rare in the Arctic and help scientists separate the warming "
            "trend from year-to-year swings in the weather.",
            '> "One early spring tells you very little. Sixty springs tell you a great '
            'deal," Dr Aasheim said. "This one sits exactly where the trend says it '
            'should."',
            "The team is now sampling plankton in the fjord every week to see whether the "
            "spring bloom, which feeds young cod and herring, has shifted with the ice. "
            "Results are expected next year.",
        ),
    },
    {
        "section": "science-climate",
        "slug": "seabirds-return-to-island-after-rat-eradication",
        "title": "Seabirds return to island five years after rats were removed",
        "standfirst": (
            "Petrel burrows on Kalkbaai Island have risen tenfold since conservationists "
            "cleared it of invasive rats, a survey shows, raising hopes for similar projects "
            "along the coast."
        ),
        "dateline": "CAPE TOWN",
        "credits": "Reporting by Thandiwe Mokoena; editing by Daniel Okafor",
        "source": STAFF,
        "hours_ago": 70,
        "body": (
            "Seabirds are nesting again in large numbers on a small island off South "
            "Africa's west coast, five years after a project to remove rats that had been "
            "eating eggs and chicks, conservationists said on Wednesday.",
            "A survey in October counted 2,140 occupied petrel burrows on Kalkbaai Island, "
            "up from 206 before the eradication, according to the Coastal Seabird Trust, "
            "which ran the project with the regional parks authority.",
            "Rats are thought to have reached the island on fishing boats in the early 20th "
            "century. The trust used bait stations over two winters and has since checked "
            "the island every three months with tracking tunnels and trained dogs.",
            "Project leader Naledi Khumalo said the recovery had been faster than expected, "
            "helped by birds from nearby colonies settling on the island. Two species of "
            "tern not seen there for decades have also begun to nest.",
            "The trust hopes to use the same approach on three larger islands, though Ms "
            "Khumalo said those would cost several times as much and require agreement "
            "from fishing communities that use them.",
        ),
    },
    {
        "section": "science-climate",
        "slug": "bengaluru-schools-install-low-cost-heat-sensors",
        "title": "Bengaluru schools install low-cost sensors to track classroom heat",
        "standfirst": (
            "A pilot in 120 government schools found that tin-roofed classrooms regularly "
            "passed 38°C in the afternoon, prompting calls to change timetables during the "
            "hottest months."
        ),
        "dateline": "BENGALURU, India",
        "credits": "Reporting by Priya Raghunathan; editing by Simon Hale",
        "source": AGENCY,
        "hours_ago": 96,
        "body": (
            "Researchers and teachers in Bengaluru have fitted 120 government schools with "
            "low-cost temperature and humidity sensors, and the first season of data shows "
            "many classrooms are far hotter than outdoor readings suggest.",
            "The devices, which cost about 1,500 rupees each and were assembled by engineering "
            "students, recorded afternoon temperatures above 38°C on more than 40 school days "
            "in classrooms with metal roofs.",
            "Dr Kavitha Srinivasan, a public-health researcher who leads the project, said "
            "children's attention and attendance dropped on the hottest days, according to "
            "teachers' logs collected alongside the sensor data.",
            "The team has recommended simple changes, such as reflective roof paint, shaded "
            "windows and moving exams to mornings, and says the data will help decide which "
            "schools should be fixed first.",
            "Education officials said they would review the findings before the next summer "
            "term. The researchers plan to publish the full data set openly later this year.",
        ),
    },
    {
        "section": "culture",
        "slug": "novelist-ilse-brandvold-dies-at-88",
        "title": "Ilse Brandvold, novelist of small towns and long winters, dies at 88",
        "standfirst": (
            "Her spare, funny books about life in a northern fishing village were translated "
            "into 31 languages and taught in schools across Scandinavia."
        ),
        "dateline": "BERGEN, Norway",
        "credits": "By Ingrid Solheim; editing by Helen Marsh",
        "source": AGENCY,
        "hours_ago": 45,
        "comments_open": False,
        "body": (
            "Ilse Brandvold, whose novels about a fishing village above the Arctic Circle "
            "found readers far beyond Norway, died on Sunday at her home in Bergen, her "
            "publisher said. She was 88.",
            "Brandvold published her first novel, *The Net Mender's Daughter*, at 41, after "
            "two decades as a schoolteacher. It was followed by eleven more, most set in the "
            "same fictional village of Hallvik, which readers came to know street by street.",
            "Critics praised her plain prose and dry humour. Her best-known book, *Salt in "
            "the Letterbox*, about a postmistress who reads everyone's mail, was adapted for "
            "television and has been translated into 31 languages.",
            '> "She wrote about people who never thought they were worth writing about, '
            'and she made them unforgettable," her longtime editor, Kjell Rasmussen, said.',
            "She is survived by two sons and five grandchildren. Her publisher said a final, "
            "completed novel would be released next autumn.",
        ),
    },
    {
        "section": "culture",
        "slug": "mexico-city-oldest-cinema-reopens",
        "title": "Mexico City's oldest working cinema reopens after five-year restoration",
        "standfirst": (
            "The Cine Alameda Norte, a 1930s picture palace that was nearly demolished, "
            "reopens with a festival of restored Mexican films and a new screen for "
            "independent work."
        ),
        "dateline": "MEXICO CITY",
        "credits": "Reporting by Valeria Montes; editing by Daniel Okafor",
        "source": STAFF,
        "hours_ago": 1,
        "body": (
            "A 1930s cinema in central Mexico City reopened on Saturday after a five-year "
            "restoration, with a queue of several hundred people stretching around the block "
            "for the first screening.",
            "The Cine Alameda Norte, which closed in 2016 and was at one point slated for "
            "demolition, was bought by a foundation set up by local residents and film "
            "students, who raised most of the money through small donations.",
            "Restorers repaired the building's painted ceiling and its 1,100 velvet seats, "
            "and added a second, smaller screen in the former ballroom for independent and "
            "student films.",
            '"People told us cinemas like this belong in museums," said Rosa Elena Ibarra, '
            "the foundation's director. \"We wanted to prove that a museum can sell tickets "
            'and popcorn."',
            "The opening festival runs for two weeks and includes twelve restored Mexican "
            "films from the 1940s and 1950s, several of which have not been shown on a big "
            "screen in decades.",
        ),
    },
    {
        "section": "politics",
        "slug": "budget-committee-set-to-vote-on-transit-funding",
        "title": "Budget committee set to vote on transit funding",
        "standfirst": (
            "DRAFT — embargoed until the committee meets. Update figures and quotes before "
            "publishing."
        ),
        "dateline": "LISBON",
        "credits": "Reporting by Inês Carvalho",
        "source": STAFF,
        "hours_ago": 1,
        "status": "draft",
        "body": (
            "The council's budget committee is expected to vote on Thursday on a plan to "
            "raise transit spending by 12 percent over two years.",
            "[Add the committee chair's comments after the briefing.]",
            "The plan would fund new night bus routes and extend the hours of two tram "
            "lines, according to a draft seen by this newsroom.",
            "Opposition councillors have said they will propose amendments to pay for the "
            "changes without raising the municipal tourist tax.",
        ),
    },
)
