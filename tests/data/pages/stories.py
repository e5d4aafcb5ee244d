"""The hand-written stories and their truths (see make_pages.py). Invented events and people."""

from __future__ import annotations

from typing import Any

STORIES: list[dict[str, Any]] = [
    {
        "id": "cnn_senate_budget",
        "og_title": "Senate passes stopgap bill hours before shutdown deadline | CNN Politics",
        "template": "cnn",
        "site": "CNN",
        "section": "CNN Politics",
        "lang": "en",
        "headline": "Senate passes stopgap bill hours before shutdown deadline",
        "authors": ["Ted Barrett", "Morgan Rimmer", "Clare Foran"],
        "iso": "2024-03-08T23:41:00-05:00",
        "shown_date": "11:41 PM EST, Fri March 8, 2024",
        "dateline": "Washington (CNN)",
        "dl_text": "Washington (CNN) —",
        "quirks": ["three authors", "title suffix", "mixed-case dateline"],
        "paras": [
            "The Senate voted late Friday to pass a stopgap funding bill, sending it to the "
            "president's desk just hours before a partial government shutdown would have begun.",
            "The measure passed 77 to 18 after senators agreed to hold votes on a series of "
            "amendments, none of which was expected to succeed.",
            "Senate Majority Leader Chuck Schumer said the vote showed that bipartisanship was "
            "still possible, even in an election year, and urged the House to finish the rest "
            "of the spending bills before the next deadline.",
            "Several conservative senators objected to the size of the package and warned that "
            "they would not support another short-term extension in the spring.",
        ],
        "related": ["House GOP leaders unveil spending plan", "What a shutdown would mean for you"],
    },
    {
        "id": "cnn_london_strike",
        "template": "cnn",
        "site": "CNN",
        "section": "CNN",
        "lang": "en",
        "headline": "London Underground drivers walk out in dispute over pay",
        "authors": ["Lauren Said-Moorhouse"],
        "iso": "2024-02-14T06:15:00Z",
        "shown_date": "6:15 AM GMT, Wed February 14, 2024",
        "dateline": "London (CNN)",
        "dl_text": "London (CNN) —",
        "quirks": ["title suffix"],
        "paras": [
            "Millions of commuters in London faced disrupted journeys on Wednesday as Underground "
            "train drivers began a 24-hour strike over pay and working conditions.",
            "Most lines ran a reduced service or none at all, and Transport for London advised "
            "travelers to work from home if they could.",
            "The drivers' union said talks had broken down after the operator offered a rise "
            "below the rate of inflation for the second year running.",
            "A spokesperson for Transport for London said the offer was fair and called on the "
            "union to return to negotiations.",
        ],
        "related": ["Rail strikes cost UK economy billions", "Europe's cities brace for walkouts"],
    },
    {
        "id": "cnn_live_quake",
        "template": "liveblog",
        "site": "CNN",
        "lang": "en",
        "headline": "Live updates: Strong earthquake strikes off the coast of Chile",
        "authors": ["Heather Chen", "Rhea Mogul"],
        "iso": "2024-04-02T09:05:00Z",
        "shown_date": "April 2, 2024",
        "dateline": None,
        "quirks": ["live blog", "LiveBlogPosting"],
        "paras": [
            "A magnitude 7.4 earthquake struck off the coast of northern Chile on Tuesday, "
            "shaking buildings in the port city of Antofagasta and prompting a brief tsunami "
            "warning.",
            "There were no immediate reports of deaths, authorities said.",
        ],
        "posts": [
            (
                "2024-04-02T09:40:00Z",
                "Tsunami warning lifted",
                [
                    "Chile's navy lifted the tsunami warning about an hour after the quake, "
                    "saying sea levels had returned to normal along the coast."
                ],
            ),
            (
                "2024-04-02T09:20:00Z",
                "Power cut in parts of Antofagasta",
                [
                    "The regional electricity company said around 40,000 homes lost power and "
                    "that crews were working to restore supply before nightfall."
                ],
            ),
        ],
        "related": [],
    },
    {
        "id": "time_heat_study",
        "template": "time",
        "site": "TIME",
        "lang": "en",
        "headline": "Extreme Heat Is Making It Harder to Sleep, a New Study Finds",
        "authors": ["Jeffrey Kluger", "Alice Park"],
        "iso": "2024-05-20T10:00:00-04:00",
        "shown_date": "May 20, 2024 10:00 AM EDT",
        "dateline": None,
        "photo": "GettyImages-1765432.jpg",
        "caption": "A man sleeps on a bench in a park during a heat wave in Rome, Italy, on July "
        "18, 2023. Getty Images",
        "quirks": ["@graph", "two authors", "caption inside article", "newsletter box"],
        "paras": [
            "People around the world are losing sleep to rising temperatures, and the poorest "
            "are losing the most, according to a study published Monday.",
            "Researchers tracked the sleep of more than 47,000 adults in 68 countries using "
            "wristbands and found that nights above 25°C cut sleep by an average of 14 minutes.",
            "The effect was strongest among older people and among women, the authors said, and "
            "it was three times larger in lower-income countries than in wealthy ones.",
            "“Sleep is one of the first things to go when it gets hot, and it is one of the "
            "things we notice least,” said the study's lead author.",
        ],
        "related": ["How to stay cool without air conditioning", "The hottest year on record"],
    },
    {
        "id": "time_vaccine_rollout",
        "template": "time",
        "site": "TIME",
        "lang": "en",
        "headline": "Why the New Malaria Vaccine Rollout Is Moving So Slowly",
        "authors": ["Alice Park"],
        "iso": "2024-01-22T07:00:00-05:00",
        "shown_date": "January 22, 2024 7:00 AM EST",
        "dateline": None,
        "photo": "malaria-vaccine-cameroon.jpg",
        "caption": "A health worker prepares a dose of the malaria vaccine in Yaoundé, "
        "Cameroon. Photograph by Daniel Beloumou Olomo—AFP via Getty Images",
        "quirks": ["@graph"],
        "paras": [
            "Cameroon became the first country to add a malaria vaccine to its routine "
            "childhood immunizations on Monday, but health officials warn that supply will "
            "fall far short of demand for years.",
            "About 18 million doses have been set aside for 12 African countries through 2025, "
            "enough for a fraction of the children at risk.",
            "Manufacturers say they are expanding production, yet the vaccine requires four "
            "doses, which makes delivery in rural areas difficult.",
        ],
        "related": ["Inside the race to end malaria", "The mosquitoes that resist insecticide"],
    },
    {
        "id": "wired_router_flaw",
        "template": "wired",
        "site": "WIRED",
        "lang": "en",
        "headline": "A Flaw in Millions of Home Routers Lets Hackers Take Over Your Network",
        "authors": ["Andy Greenberg", "Lily Hay Newman"],
        "iso": "2024-06-11T09:00:00-04:00",
        "shown_date": "Jun 11, 2024 9:00 AM",
        "dateline": None,
        "quirks": ["article:author URLs", "inline Related: link", "newsletter box"],
        "paras": [
            "Security researchers have found a vulnerability in the firmware of several popular "
            "home routers that could let an attacker on the internet take full control of the "
            "device without a password.",
            "The flaw affects models sold by at least four manufacturers that all rely on the "
            "same chipset software, the researchers said.",
            "Two of the companies have released patches, but many routers never install updates "
            "on their own, leaving owners exposed until they update them by hand.",
            "The researchers plan to present their findings at a security conference in August "
            "and have withheld some technical details until more patches are available.",
        ],
        "related": ["The Best Mesh Wi-Fi Routers"],
    },
    {
        "id": "wired_gallery_rovers",
        "template": "gallery",
        "site": "WIRED",
        "lang": "en",
        "headline": "The Strange Beauty of Abandoned Mars Rover Prototypes",
        "authors": ["Matt Simon"],
        "iso": "2024-07-03T12:00:00-04:00",
        "shown_date": "Jul 3, 2024",
        "dateline": None,
        "quirks": ["gallery", "Photos: prefix in title"],
        "paras": [
            "In a warehouse at the edge of the Mojave Desert, engineers keep the rovers that "
            "never went to Mars: prototypes built to test wheels, arms and cameras before the "
            "real machines were launched.",
            "Photographer Dana Lowe spent two weeks among them, documenting the test vehicles "
            "before several are sent to museums next year.",
        ],
        "slides": [
            "A six-wheeled test rover sits under a tarp in the warehouse.",
            "Engineers used this arm to practice drilling into rock samples.",
            "A camera mast from an early prototype, never flown.",
        ],
        "related": ["NASA's Next Rover Will Fly"],
    },
    {
        "id": "cleveland_council_vote",
        "template": "local",
        "site": "cleveland.com",
        "lang": "en",
        "headline": "Cleveland City Council approves $20 million for lead-safe housing",
        "authors": ["Courtney Astolfi"],
        "meta_author": "Courtney Astolfi, cleveland.com",
        "visible_byline": "Courtney Astolfi, cleveland.com",
        "iso": "2024-03-04T19:12:00-05:00",
        "shown_date": "Updated: Mar. 04, 2024, 7:12 p.m. | Published: Mar. 04, 2024, 5:30 p.m.",
        "dateline": "CLEVELAND, Ohio",
        "photo": "lead_safe_council_0304.JPG",
        "caption": "Cleveland City Council members listen to testimony on Monday. (Courtney "
        "Astolfi / cleveland.com)",
        "quirks": ["photo file name before body", "byline paragraph", "no JSON-LD"],
        "paras": [
            "CLEVELAND, Ohio — City Council on Monday approved $20 million to help landlords "
            "remove lead hazards from older rental homes, the largest single investment in the "
            "program since it began.",
            "The money, drawn from the city's share of federal pandemic relief, will pay for "
            "grants and low-interest loans for repairs such as window replacement and paint "
            "stabilization.",
            "Council President Blaine Griffin said the vote was overdue, noting that thousands "
            "of children in the city still test positive for elevated lead levels every year.",
            "Landlords have until June to certify their properties under the city's lead-safe "
            "law, which was passed in 2019.",
        ],
        "dateline_in_body": True,
        "related": ["Lead-safe deadline looms for landlords", "Browns add depth at linebacker"],
    },
    {
        "id": "cleveland_four_authors",
        "template": "local",
        "site": "cleveland.com",
        "lang": "en",
        "headline": "Eclipse crowds jam highways as visitors leave Northeast Ohio",
        "authors": ["Olivera Perkins", "Cory Shaffer", "Adam Ferrise", "Hannah Drown"],
        "meta_author": "Olivera Perkins",
        "visible_byline": "Olivera Perkins, Cory Shaffer, Adam Ferrise and Hannah Drown, "
        "cleveland.com",
        "iso": "2024-04-08T21:45:00-04:00",
        "shown_date": "Updated: Apr. 08, 2024, 9:45 p.m. | Published: Apr. 08, 2024, 9:00 p.m.",
        "dateline": None,
        "photo": "IMG_5521.jpg",
        "caption": "Traffic backs up on Interstate 71 after the eclipse. (Joshua Gunter, "
        "cleveland.com)",
        "quirks": ["four authors, meta names one", "photo file name before body"],
        "paras": [
            "Traffic slowed to a crawl on interstates across Northeast Ohio on Monday evening as "
            "hundreds of thousands of visitors headed home after watching the total solar "
            "eclipse.",
            "The Ohio Department of Transportation reported backups of more than 20 miles on "
            "Interstate 71 south of the city and urged drivers to be patient.",
            "State troopers said there were few serious crashes, though several drivers ran out "
            "of fuel while stuck in traffic.",
            "Hotels in the region reported being fully booked for the weekend, and restaurants "
            "in downtown Cleveland said it was their busiest Monday in years.",
        ],
        "related": ["Eclipse in photos: totality over Lake Erie"],
    },
    {
        "id": "ledger_wrong_jsonld",
        "template": "local",
        "site": "The Millbrook Ledger",
        "lang": "en",
        "headline": "Millbrook school board delays vote on four-day week",
        "authors": ["Dana Whitfield"],
        "meta_author": "Dana Whitfield",
        "visible_byline": "Dana Whitfield, Staff Writer",
        "iso": "2024-02-27T18:00:00-05:00",
        "shown_date": "Published: Feb. 27, 2024",
        "pub_meta": False,
        "wrong_ld": {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Browns sign veteran linebacker to one-year deal",
            "datePublished": "2023-11-02T10:00:00-04:00",
            "author": {"@type": "Person", "name": "Mary Kay Cabot"},
        },
        "dateline": None,
        "photo": "board-meeting-feb27.jpg",
        "caption": "Parents wait to speak at the Millbrook school board meeting Tuesday. "
        "Photo by Dana Whitfield",
        "quirks": ["JSON-LD copied from another story", "no article:published_time"],
        "paras": [
            "The Millbrook Board of Education on Tuesday postponed a decision on whether to move "
            "to a four-day school week, saying it needed more information about child care for "
            "working parents.",
            "More than 200 people attended the meeting, and most of the 31 speakers opposed the "
            "change.",
            "Superintendent Laura Bishop said the district could save about $600,000 a year on "
            "transportation and utilities, money she said would go toward teacher salaries.",
            "The board is expected to take up the proposal again in April.",
        ],
        "related": ["Millbrook levy fails by 112 votes"],
    },
    {
        "id": "fox8_pipe_line",
        "template": "tv",
        "site": "FOX 8 Cleveland WJW",
        "lang": "en",
        "headline": "Akron police search for driver after hit-and-run injures cyclist",
        "authors": ["Talia Naquin"],
        "pipe_line": "Talia Naquin | Akron | March 12, 2024",
        "iso": "2024-03-12T16:20:00-04:00",
        "shown_date": "Mar 12, 2024 / 04:20 PM EDT",
        "dateline": "Akron",
        "quirks": ["Name | Place | Date line opens the body", "JSON-LD author is the station"],
        "paras": [
            "Police in Akron are looking for the driver of a dark pickup truck that struck a "
            "cyclist on West Market Street on Tuesday morning and drove away.",
            "The cyclist, a 34-year-old man, was taken to Summa Health Akron City Hospital with "
            "serious injuries, according to police.",
            "Witnesses told officers the truck had damage to its front bumper and was last seen "
            "heading toward Interstate 77.",
            "Anyone with information is asked to call the Akron Police Department.",
        ],
        "related": ["Cyclist deaths rise across Ohio", "Road closures this week"],
    },
    {
        "id": "wjw_weather_station",
        "template": "tv",
        "site": "FOX 8 Cleveland WJW",
        "lang": "en",
        "headline": "Lake-effect snow warning issued for Ashtabula, Geauga counties",
        "authors": ["Scott Sabol"],
        "iso": "2024-01-16T05:45:00-05:00",
        "shown_date": "Jan 16, 2024 / 05:45 AM EST",
        "dateline": "CLEVELAND (WJW)",
        "quirks": ["JSON-LD author is the station", "byline paragraph", "READ MORE line"],
        "paras": [
            "CLEVELAND (WJW) — The National Weather Service issued a lake-effect snow warning "
            "for Ashtabula and Geauga counties through Wednesday evening, with up to 18 inches "
            "possible in the snowbelt.",
            "Bands of heavy snow could drop two inches an hour at times, making travel very "
            "difficult, forecasters said.",
            "Several school districts in the area announced closures before dawn.",
        ],
        "dateline_in_body": True,
        "related": ["Live radar: track the snow"],
    },
    {
        "id": "yonhap_nk_missile",
        "og_title": "N. Korea fires ballistic missile into East Sea: JCS | Yonhap News Agency",
        "template": "yonhap",
        "site": "Yonhap News Agency",
        "lang": "en",
        "headline": "N. Korea fires ballistic missile into East Sea: JCS",
        "authors": ["Kim Soo-yeon"],
        "iso": "2024-03-18T08:15:00+09:00",
        "shown_date": "2024-03-18 08:15",
        "dateline": "SEOUL, March 18 (Yonhap)",
        "dl_text": "SEOUL, March 18 (Yonhap) --",
        "quirks": ["wire dateline", "title suffix", "(END) marker"],
        "paras": [
            "North Korea fired a ballistic missile into the East Sea on Monday, South Korea's "
            "Joint Chiefs of Staff (JCS) said, in its latest show of force.",
            "The missile was launched from the Pyongyang area at around 7:44 a.m. and flew "
            "about 300 kilometers, the JCS said.",
            "The launch came as South Korea and the United States were wrapping up their annual "
            "springtime military exercise.",
        ],
        "related": ["S. Korea, U.S. wrap up Freedom Shield exercise"],
    },
    {
        "id": "yonhap_two_authors",
        "template": "yonhap",
        "site": "Yonhap News Agency",
        "lang": "en",
        "headline": "Samsung, SK hynix shares rally on chip demand outlook",
        "authors": ["Lee Min-ji", "Park Jae-hoon"],
        "iso": "2024-05-29T15:40:00+09:00",
        "shown_date": "2024-05-29 15:40",
        "dateline": "SEOUL, May 29 (Yonhap)",
        "dl_text": "SEOUL, May 29 (Yonhap) --",
        "quirks": ["two authors in one byline", "wire dateline"],
        "paras": [
            "Shares of Samsung Electronics and SK hynix rose sharply on Wednesday after a U.S. "
            "chip designer raised its sales forecast, lifting hopes for memory chip demand.",
            "Samsung closed up 3.2 percent, while SK hynix gained 4.5 percent, leading the "
            "benchmark KOSPI higher.",
            "Foreign investors were net buyers of about 600 billion won worth of local stocks.",
        ],
        "related": ["KOSPI closes higher on tech gains"],
    },
    {
        "id": "es_almeria_sequia",
        "og_title": "La Junta aprueba obras de emergencia contra la sequía en el Poniente » "
        "Almería » Noticias » Diario de Almería",
        "template": "regional",
        "site": "Diario de Almería",
        "title": "La Junta aprueba obras de emergencia contra la sequía en el Poniente » Almería » "
        "Noticias » Diario de Almería",
        "crumbs": ["Portada", "Almería", "Noticias"],
        "lang": "es",
        "headline": "La Junta aprueba obras de emergencia contra la sequía en el Poniente",
        "standfirst": "Las actuaciones costarán 14 millones y estarán listas antes del verano",
        "authors": ["María López", "Pedro Ruiz"],
        "visible_byline": "María López y Pedro Ruiz",
        "iso": "2024-03-05T09:30:00+01:00",
        "shown_date": "05 Mar 2024 - 09:30",
        "dateline": "Almería, 5 mar (EFE)",
        "dl_text": "Almería, 5 mar (EFE).-",
        "photo": "pantano-benínar.jpg",
        "caption": "Vista del pantano de Benínar, casi vacío, el pasado mes de febrero.",
        "quirks": ["breadcrumbs in title", "two authors joined by y", "EFE dateline"],
        "paras": [
            "El Consejo de Gobierno de la Junta de Andalucía ha aprobado este martes obras de "
            "emergencia por valor de 14 millones de euros para garantizar el abastecimiento de "
            "agua en los municipios del Poniente almeriense.",
            "Las actuaciones incluyen nuevos pozos, la conexión con la desaladora de Balerma y "
            "la mejora de las conducciones que abastecen a El Ejido y Roquetas de Mar.",
            "El consejero de Agricultura ha explicado que los trabajos estarán terminados antes "
            "del verano, cuando la demanda de agua alcanza su punto máximo.",
            "Las organizaciones agrarias han valorado la medida, aunque reclaman una solución "
            "definitiva para los acuíferos de la comarca.",
        ],
        "related": ["Los regantes piden más agua desalada", "El Ejido limita el riego de jardines"],
    },
    {
        "id": "es_europapress_lang",
        "template": "regional",
        "site": "El Norte Digital",
        "title": "Cantabria registra el febrero más cálido de su historia | El Norte Digital",
        "lang": "es",
        "html_lang": "en-US",
        "headline": "Cantabria registra el febrero más cálido de su historia",
        "standfirst": "La temperatura media superó en 3,1 grados la normal del mes",
        "authors": ["Lucía Fernández"],
        "meta_authors": ["Lucía Fernández"],
        "with_ld": False,
        "visible_byline": "Por Lucía Fernández",
        "iso": "2024-03-02T12:10:00+01:00",
        "shown_date": "2 de marzo de 2024",
        "dateline": "SANTANDER, 2 Mar. (EUROPA PRESS)",
        "dl_text": "SANTANDER, 2 Mar. (EUROPA PRESS) -",
        "photo": "playa-sardinero.jpg",
        "caption": "Bañistas en la playa del Sardinero en pleno mes de febrero.",
        "quirks": ["no JSON-LD", "article:author name", "Europa Press dateline"],
        "paras": [
            "Cantabria ha registrado el mes de febrero más cálido desde que existen registros, "
            "con una temperatura media de 12,4 grados, según los datos de la Agencia Estatal de "
            "Meteorología.",
            "La anomalía fue especialmente acusada en la costa, donde varios días se superaron "
            "los 24 grados.",
            "Los expertos advierten de que la falta de lluvias agrava la situación de los "
            "embalses de la comunidad, que están por debajo de la media de los últimos años.",
        ],
        "related": ["Alerta por fuertes vientos en la costa"],
    },
    {
        "id": "ar_gaza_aid",
        "og_title": "الأمم المتحدة تحذر من نقص حاد في المساعدات - الخبر اليوم",
        "template": "regional",
        "site": "الخبر اليوم",
        "title": "الأمم المتحدة تحذر من نقص حاد في المساعدات - الخبر اليوم",
        "lang": "ar",
        "dir": "rtl",
        "sections": ["أخبار", "اقتصاد", "رياضة"],
        "headline": "الأمم المتحدة تحذر من نقص حاد في المساعدات",
        "standfirst": "المنظمة الدولية تدعو إلى فتح مزيد من المعابر",
        "authors": ["أحمد منصور"],
        "visible_byline": "بقلم: أحمد منصور",
        "iso": "2024-02-20T14:00:00+03:00",
        "shown_date": "20 فبراير 2024",
        "dateline": None,
        "photo": "aid-trucks.jpg",
        "caption": "شاحنات مساعدات تنتظر عند المعبر الحدودي",
        "quirks": ["Arabic", "right to left", "title suffix"],
        "paras": [
            "حذرت الأمم المتحدة اليوم الثلاثاء من نقص حاد في المساعدات الإنسانية، مؤكدة أن عدد "
            "الشاحنات التي تدخل يوميا أقل بكثير من الحاجة الفعلية للسكان.",
            "وقال متحدث باسم المنظمة إن الوضع يزداد سوءا مع استمرار القيود على المعابر ونقص الوقود "
            "اللازم لتشغيل المستشفيات.",
            "ودعت المنظمة الدول المانحة إلى زيادة التمويل، مشيرة إلى أن النداء الإنساني لم يحصل "
            "إلا على جزء صغير من المبلغ المطلوب.",
        ],
        "related": ["ارتفاع أسعار الغذاء في المنطقة"],
    },
    {
        "id": "ar_beirut_power",
        "template": "regional",
        "site": "الخبر اليوم",
        "title": "انقطاع الكهرباء يعم بيروت بعد توقف محطتين - الخبر اليوم",
        "lang": "ar",
        "dir": "rtl",
        "sections": ["أخبار", "اقتصاد", "رياضة"],
        "headline": "انقطاع الكهرباء يعم بيروت بعد توقف محطتين",
        "standfirst": "الحكومة تعد بحل خلال أيام",
        "authors": ["ليلى حداد", "سامر خوري"],
        "visible_byline": "ليلى حداد وسامر خوري",
        "with_ld": True,
        "iso": "2024-08-17T11:30:00+03:00",
        "shown_date": "17 أغسطس 2024",
        "dateline": "بيروت (رويترز)",
        "dl_text": "بيروت (رويترز) -",
        "photo": "beirut-dark.jpg",
        "caption": "شارع في بيروت غارق في الظلام",
        "quirks": ["Arabic", "two authors", "agency dateline"],
        "paras": [
            "انقطعت الكهرباء عن معظم أنحاء بيروت يوم السبت بعد توقف محطتين رئيسيتين لتوليد الطاقة "
            "بسبب نفاد الوقود، وفق ما أعلنت مؤسسة كهرباء لبنان.",
            "وقالت المؤسسة إن شحنة جديدة من الوقود ستصل خلال أيام، داعية المواطنين إلى الترشيد في "
            "استهلاك المولدات الخاصة.",
            "ويعاني لبنان منذ سنوات من أزمة حادة في قطاع الكهرباء تفاقمت مع الانهيار الاقتصادي.",
        ],
        "related": ["أسعار المحروقات ترتفع مجددا"],
    },
    {
        "id": "fr_lemonde_retraites",
        "template": "regional",
        "site": "Le Monde",
        "title": "Le Sénat adopte la réforme de l'assurance-chômage",
        "lang": "fr",
        "sections": ["International", "Politique", "Économie"],
        "headline": "Le Sénat adopte la réforme de l'assurance-chômage",
        "standfirst": "Le texte réduit la durée d'indemnisation pour les moins de 57 ans.",
        "authors": ["Jean Dupont", "Claire Martin"],
        "visible_byline": "Par Jean Dupont et Claire Martin",
        "iso": "2024-06-06T19:45:00+02:00",
        "shown_date": "Publié le 06 juin 2024 à 19h45",
        "dateline": None,
        "photo": "senat-vote.jpg",
        "caption": "Les sénateurs lors du vote, à Paris, le 6 juin 2024. LUDOVIC MARIN / AFP",
        "quirks": ["French", "Par X et Y", "og:title equals headline, no suffix"],
        "paras": [
            "Le Sénat a adopté jeudi soir, par 198 voix contre 112, le projet de réforme de "
            "l'assurance-chômage, qui réduit la durée maximale d'indemnisation des demandeurs "
            "d'emploi.",
            "Les syndicats, unanimement opposés au texte, ont annoncé une journée de mobilisation "
            "à la fin du mois.",
            "Le gouvernement estime que la réforme permettra d'économiser près de 3 milliards "
            "d'euros par an et d'encourager le retour à l'emploi.",
            "Le texte doit encore faire l'objet d'une commission mixte paritaire avant son "
            "adoption définitive.",
        ],
        "related": ["Chômage : ce qui change au 1er juillet"],
    },
    {
        "id": "fr_lyon_afp",
        "template": "dublin",
        "site": "Le Progrès Rhône",
        "section": "Faits divers",
        "lang": "fr",
        "headline": "Lyon : un immeuble évacué après un effondrement partiel",
        "authors": ["Sophie Garnier"],
        "visible_byline": "Sophie Garnier",
        "iso": "2024-09-12",
        "shown_date": "12/09/2024",
        "dateline": "Lyon (AFP)",
        "dl_text": "Lyon (AFP) -",
        "quirks": ["Dublin Core only", "AFP dateline", ":: site suffix"],
        "paras": [
            "Une trentaine d'habitants ont été évacués jeudi matin d'un immeuble du 7e "
            "arrondissement de Lyon après l'effondrement partiel d'un plancher, sans faire de "
            "blessé.",
            "Les pompiers sont intervenus vers 6 heures après l'appel d'un voisin qui avait "
            "entendu un bruit sourd.",
            "La mairie a pris un arrêté de péril et cherche des solutions de relogement pour les "
            "familles concernées.",
        ],
        "related": [],
    },
    {
        "id": "de_spiegel_bahn",
        "template": "regional",
        "site": "DER SPIEGEL",
        "title": "Deutsche Bahn: Lokführer streiken erneut im Güterverkehr - DER SPIEGEL",
        "lang": "de",
        "sections": ["Politik", "Wirtschaft", "Panorama"],
        "headline": "Deutsche Bahn: Lokführer streiken erneut im Güterverkehr",
        "standfirst": "Die Gewerkschaft GDL ruft zum sechsten Ausstand in diesem Winter auf.",
        "authors": ["Anna Schmidt", "Jonas Weber"],
        "visible_byline": "Von Anna Schmidt und Jonas Weber",
        "iso": "2024-03-06T18:02:00+01:00",
        "shown_date": "06.03.2024, 18.02 Uhr",
        "dateline": None,
        "photo": "gdl-streik.jpg",
        "caption": "Leere Bahnsteige am Hauptbahnhof: Der Streik trifft Millionen Pendler. Foto: "
        "Christoph Soeder / dpa",
        "quirks": ["German", "Von X und Y", "title suffix"],
        "paras": [
            "Die Lokführergewerkschaft GDL hat erneut zu einem Streik bei der Deutschen Bahn "
            "aufgerufen, der am Donnerstagabend im Güterverkehr beginnen soll.",
            "Im Personenverkehr soll der Ausstand in der Nacht zum Freitag starten und 35 "
            "Stunden dauern, teilte die Gewerkschaft mit.",
            "Die Bahn nannte den Streik unverhältnismäßig und kündigte an, einen Notfahrplan "
            "anzubieten.",
            "Der Tarifkonflikt dauert bereits seit November an, zentrale Streitfrage ist die "
            "Verkürzung der Wochenarbeitszeit.",
        ],
        "related": ["So kommen Sie trotz Streik ans Ziel"],
    },
    {
        "id": "de_dpa_berlin",
        "template": "dublin",
        "site": "Berliner Abendblatt Online",
        "section": "Berlin",
        "lang": "de",
        "headline": "Berliner Senat beschließt Mietendeckel für landeseigene Wohnungen",
        "authors": ["Katrin Vogel"],
        "visible_byline": "Katrin Vogel",
        "iso": "2024-04-23",
        "shown_date": "23.04.2024",
        "dateline": "Berlin (dpa)",
        "dl_text": "Berlin (dpa) -",
        "quirks": ["Dublin Core only", "dpa dateline"],
        "paras": [
            "Der Berliner Senat hat beschlossen, die Mieten in den landeseigenen Wohnungen bis "
            "Ende 2027 um höchstens 2,9 Prozent pro Jahr steigen zu lassen.",
            "Betroffen sind rund 360.000 Wohnungen der sechs städtischen Gesellschaften, teilte "
            "die Senatsverwaltung für Stadtentwicklung mit.",
            "Mieterverbände begrüßten die Entscheidung, forderten aber eine Ausweitung auf "
            "private Vermieter.",
        ],
        "related": [],
    },
    {
        "id": "ap_wire_page",
        "template": "tv",
        "site": "AP News",
        "lang": "en",
        "headline": "Supreme Court agrees to hear dispute over state social media laws",
        "authors": ["Mark Sherman"],
        "iso": "2024-09-30T10:05:00-04:00",
        "shown_date": "Updated 10:05 AM EDT, September 30, 2024",
        "dateline": "WASHINGTON (AP)",
        "quirks": ["AP dateline", "JSON-LD author is the publisher"],
        "paras": [
            "WASHINGTON (AP) — The Supreme Court agreed Monday to decide whether states can "
            "limit how social media companies moderate what users post, taking up a pair of "
            "cases from Texas and Florida.",
            "The laws, passed in 2021, bar large platforms from removing posts because of the "
            "views they express.",
            "The companies argue that the laws violate their free speech rights, while the "
            "states say the platforms act like common carriers.",
            "Arguments are expected early next year, with a decision by summer.",
        ],
        "dateline_in_body": True,
        "related": ["Tech groups cheer court's decision to hear case"],
    },
    {
        "id": "reuters_wrong_date_ld",
        "template": "yonhap",
        "site": "Reuters",
        "lang": "en",
        "headline": "Bank of England holds rates, signals cuts could come this year",
        "authors": ["David Milliken", "Andy Bruce"],
        "iso": "2024-03-21T12:00:00Z",
        "shown_date": "March 21, 2024 12:00 PM GMT",
        "dateline": "LONDON, March 21 (Reuters)",
        "dl_text": "LONDON, March 21 (Reuters) -",
        "quirks": ["wire dateline", "Reuters-style page in the Yonhap template"],
        "paras": [
            "The Bank of England kept interest rates at a 16-year high of 5.25% on Thursday but "
            "said the economy was moving in the right direction for rate cuts.",
            "Two policymakers who had previously voted for a rate rise dropped their calls, "
            "leaving eight votes to hold and one for a cut.",
            "Sterling fell after the decision as investors brought forward their bets on the "
            "timing of the first reduction.",
        ],
        "related": ["UK inflation falls more than expected"],
    },
    {
        "id": "it_ansa_roma",
        "og_title": "Roma, sciopero dei trasporti: metro chiuse fino a sera | Notizie Roma",
        "template": "regional",
        "site": "Notizie Roma",
        "title": "Roma, sciopero dei trasporti: metro chiuse fino a sera | Notizie Roma",
        "lang": "it",
        "sections": ["Cronaca", "Politica", "Sport"],
        "headline": "Roma, sciopero dei trasporti: metro chiuse fino a sera",
        "standfirst": "Disagi per migliaia di pendolari, bus a singhiozzo",
        "authors": ["Giulia Rossi"],
        "visible_byline": "di Giulia Rossi",
        "iso": "2024-04-12T08:50:00+02:00",
        "shown_date": "12 aprile 2024",
        "dateline": "ROMA, 12 APR",
        "dl_text": "ROMA, 12 APR -",
        "photo": "metro-termini.jpg",
        "caption": "La stazione Termini chiusa durante lo sciopero",
        "quirks": ["Italian", "ANSA-style dateline", "di X"],
        "paras": [
            "Metropolitane chiuse e autobus a singhiozzo a Roma per lo sciopero di 24 ore "
            "proclamato dai sindacati di base del trasporto pubblico.",
            "Secondo l'azienda dei trasporti, le linee A, B e C resteranno ferme fino alle 17, "
            "mentre sono garantite le fasce di maggiore affluenza.",
            "I sindacati chiedono più personale e maggiori investimenti nella sicurezza.",
        ],
        "related": ["Traffico in tilt sul Raccordo"],
    },
    {
        "id": "pt_lusa_lisboa",
        "template": "regional",
        "site": "Diário Digital",
        "title": "Governo aprova aumento do salário mínimo para 2025 - Diário Digital",
        "lang": "pt",
        "sections": ["País", "Economia", "Desporto"],
        "headline": "Governo aprova aumento do salário mínimo para 2025",
        "standfirst": "Subida de 50 euros foi acordada com os parceiros sociais",
        "authors": ["Rui Costa"],
        "visible_byline": "Rui Costa",
        "iso": "2024-10-10T16:00:00+01:00",
        "shown_date": "10 out 2024 16:00",
        "dateline": "Lisboa, 10 out 2024 (Lusa)",
        "dl_text": "Lisboa, 10 out 2024 (Lusa) -",
        "photo": "conselho-ministros.jpg",
        "caption": "A ministra do Trabalho no final do Conselho de Ministros",
        "quirks": ["Portuguese", "Lusa dateline"],
        "paras": [
            "O Governo aprovou hoje em Conselho de Ministros o aumento do salário mínimo "
            "nacional para 870 euros a partir de janeiro de 2025, uma subida de 50 euros.",
            "A medida foi acordada com os parceiros sociais na concertação social e abrange "
            "cerca de 800 mil trabalhadores.",
            "As confederações patronais pedem em troca uma descida dos impostos sobre as empresas.",
        ],
        "related": ["Inflação abranda em setembro"],
    },
    {
        "id": "bbc_breadcrumbs",
        "og_title": "Storm Isha: Thousands without power as winds reach 99mph - BBC News",
        "template": "regional",
        "site": "BBC News",
        "title": "Storm Isha: Thousands without power as winds reach 99mph - BBC News",
        "lang": "en",
        "crumbs": ["Home", "News", "UK", "Scotland"],
        "sections": ["Home", "News", "Sport", "Weather"],
        "headline": "Storm Isha: Thousands without power as winds reach 99mph",
        "standfirst": "Trains cancelled and roads closed across Scotland and northern England.",
        "authors": ["Jenny Kumah"],
        "visible_byline": "By Jenny Kumah, BBC News",
        "iso": "2024-01-22T07:30:00Z",
        "shown_date": "22 January 2024",
        "dateline": None,
        "photo": "p0h3x2k1.jpg",
        "caption": "A fallen tree blocks a road in Dumfries. Image source, PA Media",
        "quirks": ["headline contains a colon", "title suffix with hyphen"],
        "paras": [
            "Tens of thousands of homes are without power after Storm Isha brought gusts of up "
            "to 99mph to parts of the UK overnight.",
            "Rail services in Scotland were suspended and several bridges were closed to "
            "high-sided vehicles.",
            "The Met Office said the winds would ease during Monday morning, but a further "
            "warning has been issued for Tuesday.",
        ],
        "related": ["Storm Isha: Your pictures", "Why storms are named"],
    },
    {
        "id": "guardian_three_authors",
        "template": "regional",
        "site": "The Guardian",
        "title": "Amazon drought leaves river communities stranded | World news | The Guardian",
        "lang": "en",
        "sections": ["World", "Environment", "Opinion"],
        "headline": "Amazon drought leaves river communities stranded",
        "standfirst": "Water levels at the port of Manaus hit their lowest since records began",
        "authors": ["Tom Phillips", "Constance Malleret", "Flávia Milhorance"],
        "meta_authors": ["Tom Phillips", "Constance Malleret", "Flávia Milhorance"],
        "with_ld": True,
        "visible_byline": "Tom Phillips, Constance Malleret and Flávia Milhorance",
        "iso": "2024-10-05T11:00:00+01:00",
        "shown_date": "Sat 5 Oct 2024 11.00 BST",
        "dateline": None,
        "photo": "5472.jpg",
        "caption": "Boats stranded on the dry bed of a tributary near Manaus. Photograph: "
        "Bruno Kelly/Reuters",
        "quirks": ["three authors", "section breadcrumbs in title", "accented name"],
        "paras": [
            "Hundreds of riverside communities in the Brazilian Amazon have been cut off from "
            "supplies as a historic drought shrinks the rivers that serve as their only roads.",
            "The Rio Negro at Manaus fell to 12.7 metres this week, the lowest level since "
            "measurements began in 1902.",
            "Scientists link the drought to the El Niño weather pattern and to warming waters in "
            "the Atlantic, made worse by deforestation.",
            "The state government has declared an emergency in 62 municipalities and is "
            "delivering food and water by helicopter.",
        ],
        "related": ["Amazon deforestation falls for second year"],
    },
    {
        "id": "press_release_dc",
        "template": "dublin",
        "site": "Westfield University News",
        "section": "Research",
        "lang": "en",
        "headline": "Westfield researchers map hidden aquifer beneath farmland",
        "authors": ["Priya Raman", "Owen Gallagher"],
        "visible_byline": "Priya Raman and Owen Gallagher",
        "iso": "2024-05-14",
        "shown_date": "May 14, 2024",
        "dateline": None,
        "quirks": ["Dublin Core only", "two DC.creator", ":: suffix"],
        "paras": [
            "A team of geologists at Westfield University has mapped an aquifer that lies more "
            "than 300 meters beneath farmland in the county, using sensors dragged behind a "
            "tractor.",
            "The aquifer may hold enough water to supply the region's farms for decades, "
            "according to the study published in the journal Groundwater.",
            "The researchers caution that the water is old and recharges slowly, so it should "
            "be drawn on only in droughts.",
        ],
        "related": [],
    },
    {
        "id": "local_tv_pipe_two",
        "template": "tv",
        "site": "KXAN Austin",
        "lang": "en",
        "headline": "Austin approves new rules for short-term rentals",
        "authors": ["Grace Reader"],
        "pipe_line": "Grace Reader | Austin, Texas | June 6, 2024",
        "iso": "2024-06-06T21:10:00-05:00",
        "shown_date": "Jun 6, 2024 / 09:10 PM CDT",
        "dateline": "Austin, Texas",
        "quirks": ["Name | Place | Date line", "JSON-LD author is the station"],
        "paras": [
            "The Austin City Council voted Thursday night to tighten rules for short-term "
            "rentals, requiring owners to register their properties and limiting how many can "
            "operate on a single block.",
            "Supporters said the changes would protect neighborhoods from so-called party "
            "houses, while some owners said the rules go too far.",
            "The new rules take effect in October.",
        ],
        "related": ["Austin home prices fall again"],
    },
    {
        "id": "time_single_ld_array",
        "template": "time",
        "site": "TIME",
        "lang": "en",
        "headline": "The Quiet Comeback of the Public Library",
        "authors": ["Olivia B. Waxman"],
        "iso": "2024-08-19T08:00:00-04:00",
        "shown_date": "August 19, 2024 8:00 AM EDT",
        "dateline": None,
        "photo": "library-reading-room.jpg",
        "caption": "Patrons in the reading room of a public library in Brooklyn. Photo by "
        "Jane Doe for TIME",
        "quirks": ["@graph", "middle initial"],
        "paras": [
            "Visits to public libraries in the United States have climbed back to their "
            "pre-pandemic level, according to a survey released Monday by a library "
            "association.",
            "Librarians say people come for more than books: for internet access, job help, "
            "tax forms and a warm, quiet place to sit.",
            "Many libraries have extended their hours and added services such as lending tools "
            "and musical instruments.",
        ],
        "related": ["The fight over what libraries lend"],
    },
    {
        "id": "wired_single_author",
        "template": "wired",
        "site": "WIRED",
        "lang": "en",
        "headline": "The Fight to Fix Your Own Tractor Is Going to Court",
        "authors": ["Lauren Goode"],
        "iso": "2024-02-09T07:00:00-05:00",
        "shown_date": "Feb 9, 2024 7:00 AM",
        "dateline": None,
        "quirks": ["article:author URLs"],
        "paras": [
            "A group of farmers filed a lawsuit on Thursday accusing a major tractor maker of "
            "keeping repair tools and software from independent mechanics.",
            "The suit, filed in federal court in Illinois, says the company's practices raise "
            "repair costs and leave machines idle during the harvest.",
            "The company said it had already made many of its tools available and would fight "
            "the lawsuit.",
        ],
        "related": ["Right to Repair Laws Are Spreading"],
    },
    {
        "id": "front_page",
        "template": "front",
        "site": "The Millbrook Ledger",
        "lang": "en",
        "teasers": [
            ("Millbrook school board delays vote on four-day week", "Parents packed the meeting."),
            ("Millbrook levy fails by 112 votes", "The district will try again in November."),
            ("High school team wins regional title", "The Hornets beat Oak Park 54-49."),
            ("Road work on Main Street starts Monday", "Expect delays through August."),
        ],
    },
]
