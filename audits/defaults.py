"""The maturity model a new organisation starts with (``audits.services.model``): the five levels and
the nine management principles of seed 001 (the internal assessment of a large public agency's QMS),
with their definitions, the hard and soft controls that evidence them and the questions the assessors
ask, and the principles of the source's first cycle year.

Texts are stored, not translated at run time: Dutch (the stored language) with the English beside it
(``Bilingual.localized``). They are written generically ("de organisatie", "het onderdeel") where the
source speaks of itself. The levels follow the source's CMM-like scale (its appendix 1 is an image):
chapter 3.4 gives the scale from ad hoc (1) to optimising (5), chapter 4.1 describes initial (2) and
reproducible (3), chapters 4.2, 6.2 and 6.4 what managing (4) asks. The principles' definitions are the
appendix texts (appendix 2); the controls and questions are drawn from what chapters 4-9 observed (plans
and KPI sets, effect measurement, the PDCA cycle, quality plans and standards, customer journeys,
cooperation in the chain). The source's appendix breaks off at the supplier principle's title; its
definition here is the ISO 9000 principle it names (relationship management).
"""

from dataclasses import dataclass

# level, name, name (English), description, description (English)
LEVELS: tuple[tuple[int, str, str, str, str], ...] = (
    (
        1,
        "Ad hoc",
        "Ad hoc",
        "Er is geen gestructureerde aanpak: op tekortkomingen en ontwikkelingen wordt vooral ad hoc "
        "gereageerd, afhankelijk van de inzet van individuele medewerkers. Fouten en verspillingen worden "
        "niet systematisch zichtbaar gemaakt en verbeteringen zijn niet aantoonbaar.",
        "There is no structured approach: shortcomings and developments are mostly met ad hoc, depending on "
        "the efforts of individual employees. Errors and waste are not made visible systematically and "
        "improvements cannot be demonstrated.",
    ),
    (
        2,
        "Initieel",
        "Initial",
        "De organisatie kan er in principe voor zorgen dat tekortkomingen zichtbaar worden gemaakt en dat "
        "men kennis, gedrag, processen, producten en systemen kan verbeteren. Er is in opzet een 'systeem' "
        "van hard en soft controls, maar het wordt nog niet overal of niet regelmatig toegepast, of de "
        "toepassing is onvoldoende aantoonbaar.",
        "In principle the organisation can make shortcomings visible and improve knowledge, behaviour, "
        "processes, products and systems. A 'system' of hard and soft controls exists by design, but it is "
        "not yet applied everywhere or regularly, or its application cannot be sufficiently demonstrated.",
    ),
    (
        3,
        "Reproduceren",
        "Reproducible",
        "Men kan met documentatie aantonen dat het zichtbaar maken en verbeteren ook regelmatig "
        "plaatsvindt. Sturing en verantwoording zijn op alle niveaus periodiek vastgelegd (bijvoorbeeld een "
        "maandrapportage per afdeling waarvan de indicatoren aansluiten op de doelstellingen van het "
        "onderdeel) en de samenhang tussen kwaliteitsplan, jaarplan, rapportages en kwaliteitsrapporten is "
        "expliciet, zodat de aanpak reproduceerbaar is.",
        "It can be shown with documentation that making visible and improving also happens regularly. "
        "Steering and accountability are recorded periodically at every level (for example a monthly "
        "report per department whose indicators follow from the unit's objectives), and the link between "
        "quality plan, annual plan, reports and quality reports is explicit, so the approach is "
        "reproducible.",
    ),
    (
        4,
        "Sturen",
        "Managed",
        "Er wordt actief gestuurd met het systeem. Klantverwachtingen en doelstellingen worden vooraf, "
        "uniform en SMART vastgesteld; de effecten van verbetermaatregelen worden gemeten en leiden "
        "aantoonbaar tot bijsturing. Niet alleen de geleverde kwaliteit wordt verbeterd, ook het "
        "management-instrumentarium zelf wordt geëvalueerd: dat is een kenmerk van Sturen.",
        "The system is actively used to steer. Customer expectations and objectives are set beforehand, "
        "uniformly and SMART; the effects of improvement measures are measured and demonstrably lead to "
        "adjustment. Not only the quality delivered is improved, the management instruments themselves are "
        "evaluated too: that is a mark of Managed.",
    ),
    (
        5,
        "Optimaliseren",
        "Optimising",
        "Continu geoptimaliseerd niveau: de PDCA-cirkel wordt systematisch en kort-cyclisch doorlopen, ook "
        "over de keten en de onderdelen heen. Processen, instrumenten en het systeem zelf worden continu "
        "verbeterd op basis van gemeten effecten, en elke cyclus levert een beter resultaat op dan de "
        "vorige.",
        "Continuously optimised: the PDCA cycle is run systematically and in short cycles, also across the "
        "chain and the units. Processes, instruments and the system itself are improved continuously on "
        "the basis of measured effects, and every cycle yields a better result than the one before.",
    ),
)


@dataclass(frozen=True)
class DefaultPrinciple:
    code: str
    name: str
    name_en: str
    definition: str
    definition_en: str
    # (Dutch, English) pairs, in order.
    hard_controls: tuple[tuple[str, str], ...]
    soft_controls: tuple[tuple[str, str], ...]
    questions: tuple[tuple[str, str], ...]


PRINCIPLES: tuple[DefaultPrinciple, ...] = (
    DefaultPrinciple(
        code="customer_focus",
        name="Klantgerichtheid",
        name_en="Customer focus",
        definition=(
            "Organisaties zijn afhankelijk van hun klanten en behoren daarom huidige en toekomstige behoeften "
            "van de klant te begrijpen, behoren te voldoen aan eisen van de klant en ernaar te streven om "
            "verwachtingen van de klant te overtreffen. Het kennen van en willen voldoen aan de verwachting "
            "van de (interne) klant (menselijke maat). De organisatie kent de waardeketen van haar "
            "dienstverlening, heeft die ingericht rondom de klantbehoeften en vertaald naar processen, taken "
            "en verantwoordelijkheden."
        ),
        definition_en=(
            "Organisations depend on their customers and should therefore understand current and future "
            "customer needs, meet customer requirements and strive to exceed customer expectations. Knowing "
            "and wanting to meet the expectations of the (internal) customer (the human dimension). The "
            "organisation knows the value chain of its services, has organised it around the customers' "
            "needs and translated it into processes, tasks and responsibilities."
        ),
        hard_controls=(
            (
                "Periodieke metingen van klanttevredenheid en klantbeleving (klanttevredenheidsonderzoek, "
                "directe feedback na een klantcontact), met normen voor wanneer de uitkomst goed genoeg is.",
                "Periodic measurements of customer satisfaction and experience (satisfaction surveys, direct "
                "feedback after a customer contact), with standards for when the outcome is good enough.",
            ),
            (
                "Klachtenanalyse waarvan de uitkomsten aantoonbaar tot verbeteringen leiden.",
                "Complaint analysis whose outcomes demonstrably lead to improvements.",
            ),
            (
                "Klantverwachtingen die vooraf, op uniforme wijze en met vaste definities worden opgehaald.",
                "Customer expectations gathered beforehand, uniformly and with agreed definitions.",
            ),
            (
                "Klantreizen waarin de overdrachtsmomenten tussen onderdelen zijn beschreven en bewaakt.",
                "Customer journeys in which the hand-overs between units are described and monitored.",
            ),
        ),
        soft_controls=(
            (
                "Medewerkers stellen de klant en diens situatie centraal en worden daardoor gemotiveerd.",
                "Employees put the customer and their situation first and are motivated by it.",
            ),
            (
                "Mentoren en leercirkels die teams begeleiden in hun klantgerichtheid.",
                "Mentors and learning circles that coach teams in their customer focus.",
            ),
            (
                "Het klantperspectief wordt bij beeld- en besluitvorming standaard meegewogen.",
                "The customer's perspective is always weighed in forming views and taking decisions.",
            ),
        ),
        questions=(
            (
                "Hoe weet u wat uw (interne) klanten verwachten, en wordt dat vooraf en op een vaste manier opgehaald?",
                "How do you know what your (internal) customers expect, and is that gathered beforehand and "
                "in a set way?",
            ),
            (
                "Welke metingen van klanttevredenheid gebruikt u, en wanneer is de uitkomst goed genoeg?",
                "Which measurements of customer satisfaction do you use, and when is the outcome good enough?",
            ),
            (
                "Wat is het afgelopen jaar veranderd naar aanleiding van klachten of feedback, en hoe weet u "
                "dat de klant dat merkt?",
                "What changed in the past year as a result of complaints or feedback, and how do you know the "
                "customer notices?",
            ),
            (
                "Waar bent u trots op in de dienstverlening aan uw klanten, en wat zou u nog beter willen?",
                "What are you proud of in the service to your customers, and what would you like to do better?",
            ),
        ),
    ),
    DefaultPrinciple(
        code="leadership",
        name="Leiderschap",
        name_en="Leadership",
        definition=(
            "Leiders stellen eenheid van doel en richting van de organisatie vast. Ze behoren een klimaat te "
            "scheppen en te onderhouden, waarin medewerkers volledig kunnen worden betrokken bij het bereiken "
            "van de doelstellingen van de organisatie. De organisatie kent de interne en externe bedreigingen "
            "voor haar dienstverlening, past risicomanagement en beheersing toe en plant kwaliteitsmanagement."
        ),
        definition_en=(
            "Leaders establish unity of purpose and direction of the organisation. They should create and "
            "maintain a climate in which employees can become fully involved in achieving the organisation's "
            "objectives. The organisation knows the internal and external threats to its services, applies "
            "risk management and control, and plans quality management."
        ),
        hard_controls=(
            (
                "Een vastgestelde strategie, vertaald in jaarplan, kwaliteitsplan en teamplannen.",
                "An adopted strategy, translated into the annual plan, the quality plan and team plans.",
            ),
            (
                "Een risicoregister met eigenaren en beheersmaatregelen, waarover periodiek wordt gerapporteerd.",
                "A risk register with owners and controls, reported on periodically.",
            ),
            (
                "Een kwaliteits(jaar)plan en een periodieke directiebeoordeling van het kwaliteitsmanagementsysteem.",
                "A (yearly) quality plan and a periodic management review of the quality management system.",
            ),
        ),
        soft_controls=(
            (
                "Voorbeeldgedrag van alle lagen van het management, ook in onderling aanspreken en zelfreflectie.",
                "Exemplary behaviour at every level of management, also in holding one another to account and "
                "in self-reflection.",
            ),
            (
                "Risicoleiderschap: het lef om te besluiten dat een beoogd effect uitblijft en dat er iets "
                "anders nodig is.",
                "Risk leadership: the courage to decide that an intended effect is not coming and that "
                "something else is needed.",
            ),
            (
                "Plannen die bottom-up tot stand komen, zodat medewerkers zich erin herkennen.",
                "Plans made bottom-up, so that employees recognise themselves in them.",
            ),
        ),
        questions=(
            (
                "Hoe vertaalt de leiding de strategie naar doelen voor afdelingen en teams, en hoe worden "
                "medewerkers daarbij betrokken?",
                "How does management translate the strategy into objectives for departments and teams, and how "
                "are employees involved?",
            ),
            (
                "Welke interne en externe bedreigingen voor uw dienstverlening kent u, en hoe worden die beheerst?",
                "Which internal and external threats to your services do you know, and how are they controlled?",
            ),
            (
                "Hoe geeft het management het goede voorbeeld in het aanspreken op resultaten en het "
                "reflecteren op het eigen handelen?",
                "How does management set the example in holding people to account for results and in "
                "reflecting on its own actions?",
            ),
        ),
    ),
    DefaultPrinciple(
        code="craftsmanship",
        name="Vakmanschap",
        name_en="Craftsmanship",
        definition=(
            "Medewerkers op alle niveaus zijn van essentieel belang voor een organisatie en door hen volledig "
            "bij de organisatie te betrekken, kunnen hun vaardigheden worden gebruikt ten gunste van de "
            "organisatie. De organisatie stelt eisen aan functies, niveaus en processen ten behoeve van het "
            "kwaliteitsmanagementsysteem, en faciliteert en stimuleert de ontwikkeling en groei van medewerkers "
            "in hun rol, taken en verantwoordelijkheden daarin. De organisatie stelt de noodzakelijke "
            "competenties van medewerkers vast en stelt hen in staat deze te behalen en te behouden. De "
            "medewerkers weten hoe het proces en de taken kwalitatief juist, tijdig en volledig uitgevoerd "
            "moeten worden."
        ),
        definition_en=(
            "Employees at every level are essential to an organisation, and involving them fully lets their "
            "abilities be used for the organisation's benefit. The organisation sets requirements for "
            "positions, levels and processes for the quality management system, and facilitates and "
            "encourages employees' development and growth in their role, tasks and responsibilities in it. "
            "The organisation determines the competences employees need and enables them to gain and keep "
            "them. Employees know how the process and the tasks are to be carried out correctly, on time and "
            "completely."
        ),
        hard_controls=(
            (
                "Functie- en competentieprofielen met de eisen die het kwaliteitsmanagementsysteem stelt.",
                "Job and competence profiles with the requirements of the quality management system.",
            ),
            (
                "Opleidingsplannen en een registratie van gevolgde trainingen en (her)certificeringen.",
                "Training plans and a record of the training and (re)certifications followed.",
            ),
            (
                "Werkinstructies en procesbeschrijvingen die zeggen hoe taken juist, tijdig en volledig worden "
                "uitgevoerd.",
                "Work instructions and process descriptions saying how tasks are carried out correctly, on "
                "time and completely.",
            ),
            (
                "Periodieke vakinhoudelijke toetsing van uitgevoerd werk door de tweede lijn.",
                "Periodic professional review of the work done, by the second line.",
            ),
        ),
        soft_controls=(
            (
                "Medewerkers spreken elkaar aan op de kwaliteit van het werk en delen kennis in leercirkels, "
                "intervisie of peer-review.",
                "Employees hold one another to account for the quality of the work and share knowledge in "
                "learning circles, peer consultation or peer review.",
            ),
            (
                "Ruimte en waardering voor ontwikkeling en groei in de eigen rol.",
                "Room and appreciation for development and growth in one's own role.",
            ),
        ),
        questions=(
            (
                "Hoe weet een medewerker wat een juist, tijdig en volledig uitgevoerde taak is?",
                "How does an employee know what a task carried out correctly, on time and completely is?",
            ),
            (
                "Hoe worden de benodigde competenties vastgesteld, en hoe worden medewerkers in staat gesteld "
                "ze te behalen en te behouden?",
                "How are the competences needed determined, and how are employees enabled to gain and keep them?",
            ),
            (
                "Wat doet u met de uitkomsten van peer-reviews en vakinhoudelijke toetsen, en leidt dat "
                "aantoonbaar tot betere kwaliteit?",
                "What do you do with the outcomes of peer reviews and professional reviews, and does that "
                "demonstrably lead to better quality?",
            ),
        ),
    ),
    DefaultPrinciple(
        code="process_approach",
        name="Procesbenadering",
        name_en="Process approach",
        definition=(
            "Een gewenst resultaat wordt doelmatiger bereikt wanneer activiteiten en hierop betrekking "
            "hebbende middelen als een proces worden bestuurd. De organisatie heeft de waardeketen van haar "
            "dienstverlening vertaald naar klantreizen en processen en past deze aan de veranderende "
            "behoeften en omstandigheden aan. De organisatie voert de processen uit en stelt daarbij vast dat "
            "dit juist, tijdig en volledig gebeurt."
        ),
        definition_en=(
            "A desired result is achieved more efficiently when activities and the related resources are "
            "managed as a process. The organisation has translated the value chain of its services into "
            "customer journeys and processes and adapts them to changing needs and circumstances. The "
            "organisation carries out the processes and establishes that this is done correctly, on time and "
            "completely."
        ),
        hard_controls=(
            (
                "Een overzicht van de kernprocessen met een eigenaar per proces.",
                "An overview of the core processes with an owner for each.",
            ),
            (
                "Actuele procesbeschrijvingen, bijgewerkt na incidenten en wijzigingen.",
                "Current process descriptions, updated after incidents and changes.",
            ),
            (
                "Afspraken met de volgende schakel in de keten over wat een goed product is om over te dragen, "
                "met controles op de overdrachtsmomenten.",
                "Agreements with the next link in the chain on what a good product to hand over is, with checks "
                "at the hand-overs.",
            ),
            (
                "Elementen van administratieve organisatie en interne controle (AO/IC), zoals autorisatiebeheer.",
                "Elements of administrative organisation and internal control, such as authorisation management.",
            ),
        ),
        soft_controls=(
            (
                "Samenwerking in multidisciplinaire teams over de grenzen van afdelingen en onderdelen heen.",
                "Cooperation in multidisciplinary teams across the boundaries of departments and units.",
            ),
            (
                "Leercirkels met de andere onderdelen in de keten.",
                "Learning circles with the other units in the chain.",
            ),
        ),
        questions=(
            (
                "Welke kernprocessen heeft uw onderdeel, en wie is eigenaar van elk ervan?",
                "Which core processes does your unit have, and who owns each of them?",
            ),
            (
                "Hoe weet u dat uw processen juist, tijdig en volledig worden uitgevoerd?",
                "How do you know your processes are carried out correctly, on time and completely?",
            ),
            (
                "Wat heeft de volgende schakel in de keten van u nodig, en hoe stemt u dat met hen af?",
                "What does the next link in the chain need from you, and how do you agree on it with them?",
            ),
            (
                "Wanneer is een procesbeschrijving voor het laatst aangepast, en waarom?",
                "When was a process description last changed, and why?",
            ),
        ),
    ),
    DefaultPrinciple(
        code="continuous_improvement",
        name="Continu leren en verbeteren",
        name_en="Continuous learning and improvement",
        definition=(
            "Continue verbetering van de algehele prestatie van de organisatie behoort een permanente "
            "doelstelling van de organisatie te zijn. De organisatie past systematisch (per proces, project, "
            "klantdoel enz.) de PDCA-cirkel toe, op basis van de gemeten resultaten. De organisatie evalueert "
            "kort-cyclisch het eigen handelen en de behaalde resultaten per procesdoelstelling. De organisatie "
            "behaalt elke cyclus een beter resultaat dan de vorige."
        ),
        definition_en=(
            "Continual improvement of the organisation's overall performance should be a permanent objective "
            "of the organisation. The organisation applies the PDCA cycle systematically (per process, "
            "project, customer objective etc.), based on the measured results. The organisation evaluates its "
            "own actions and the results achieved per process objective in short cycles. The organisation "
            "achieves a better result every cycle than the one before."
        ),
        hard_controls=(
            (
                "Een verbeterregister waarin acties worden gevolgd tot en met de meting van hun effect.",
                "An improvement register in which actions are followed up to the measurement of their effect.",
            ),
            (
                "Effectmetingen van verbetermaatregelen, ingepland op een analyse- of onderzoekskalender.",
                "Effect measurements of improvement measures, scheduled on an analysis or review calendar.",
            ),
            (
                "Een proces voor de opvolging van kwaliteitsonderzoeken, audits, de interne toets en de "
                "directiebeoordeling.",
                "A process for following up quality reviews, audits, the internal assessment and the "
                "management review.",
            ),
        ),
        soft_controls=(
            (
                "De reflecterende vraag 'Wat heeft deze verbeteractie opgeleverd?' wordt gesteld en beantwoord.",
                "The reflective question 'What did this improvement action achieve?' is asked and answered.",
            ),
            (
                "Fouten worden gemeld en besproken als kans om te leren, niet als schuldvraag.",
                "Errors are reported and discussed as a chance to learn, not as a question of blame.",
            ),
            (
                "Nieuwsgierigheid naar de goede voorbeelden van andere onderdelen.",
                "Curiosity about the good examples of other units.",
            ),
        ),
        questions=(
            (
                "Kunt u een verbetering van het afgelopen jaar laten zien, van signaal tot gemeten effect?",
                "Can you show an improvement of the past year, from signal to measured effect?",
            ),
            (
                "Hoe weet u of een verbeteractie het beoogde effect heeft gehad?",
                "How do you know whether an improvement action had the intended effect?",
            ),
            (
                "Hoe worden de aanbevelingen uit audits en kwaliteitsonderzoeken opgevolgd?",
                "How are the recommendations of audits and quality reviews followed up?",
            ),
            (
                "Evalueert u ook het kwaliteitsinstrument zelf, en wat heeft dat opgeleverd?",
                "Do you also evaluate the quality instrument itself, and what did that yield?",
            ),
        ),
    ),
    DefaultPrinciple(
        code="governance",
        name="Besturing, verantwoordelijkheden, eigenaarschap",
        name_en="Governance, responsibilities, ownership",
        definition=(
            "Doeltreffende beslissingen zijn gebaseerd op de analyse van gegevens en informatie. Vaststellen, "
            "begrijpen en besturen van samenhangende processen als een systeem draagt bij tot de "
            "doeltreffendheid en doelmatigheid van de organisatie in het bereiken van haar doelstellingen. De "
            "organisatie kent indicatoren voor het meten van kwalitatieve en kwantitatieve prestaties en "
            "gebruikt deze voor het nemen van besluiten. De organisatie behaalt elke cyclus een beter resultaat "
            "dan de vorige."
        ),
        definition_en=(
            "Effective decisions are based on the analysis of data and information. Identifying, "
            "understanding and managing interrelated processes as a system contributes to the organisation's "
            "effectiveness and efficiency in achieving its objectives. The organisation has indicators to "
            "measure qualitative and quantitative performance and uses them to take decisions. The "
            "organisation achieves a better result every cycle than the one before."
        ),
        hard_controls=(
            (
                "Vastgelegde taken, verantwoordelijkheden en bevoegdheden, met een heldere rolverdeling tussen "
                "eerste en tweede lijn en tussen centrale en decentrale functies.",
                "Recorded tasks, responsibilities and authorities, with a clear division of roles between the "
                "first and second line and between central and local functions.",
            ),
            (
                "Een set indicatoren voor kwalitatieve en kwantitatieve prestaties die in besluiten wordt gebruikt.",
                "A set of indicators of qualitative and quantitative performance that is used in decisions.",
            ),
            (
                "Managementcontracten of -afspraken met een eigenaar per doelstelling.",
                "Management contracts or agreements with an owner for each objective.",
            ),
        ),
        soft_controls=(
            (
                "Eigenaarschap van het lijnmanagement voor de opvolging van verbeterpunten.",
                "Ownership by line management of the follow-up of points for improvement.",
            ),
            (
                "Duidelijke besluiten en open communicatie tussen centrale en decentrale afdelingen.",
                "Clear decisions and open communication between central and local departments.",
            ),
        ),
        questions=(
            (
                "Wie is eigenaar van het behalen van de doelstellingen, en wat is de rol van de tweede lijn daarbij?",
                "Who owns achieving the objectives, and what is the second line's role in it?",
            ),
            (
                "Op welke gegevens baseert het management zijn besluiten?",
                "On which data does management base its decisions?",
            ),
            (
                "Hoe is de rolverdeling tussen centrale en decentrale functionarissen geregeld, en waar schuurt die?",
                "How are roles divided between central and local officers, and where does that chafe?",
            ),
        ),
    ),
    DefaultPrinciple(
        code="operational_quality",
        name="Operationele kwaliteit",
        name_en="Operational quality",
        definition=(
            "De organisatie levert haar diensten efficiënt, tijdig, juist en volledig. Dit is inclusief de "
            "wettelijke kaders, zoals die voor informatiebeveiliging en privacy (compliance)."
        ),
        definition_en=(
            "The organisation delivers its services efficiently, on time, correctly and completely. This "
            "includes the legal frameworks, such as those for information security and privacy (compliance)."
        ),
        hard_controls=(
            (
                "Een structurele meting van de operationele kwaliteit (juistheid, tijdigheid, volledigheid) van "
                "de kernprocessen, gericht op de risicovolle processen.",
                "A structural measurement of the operational quality (correctness, timeliness, completeness) of "
                "the core processes, aimed at the high-risk processes.",
            ),
            (
                "Kwaliteitsnormen die zeggen wanneer een product of dienst goed of goed genoeg is.",
                "Quality standards saying when a product or service is good or good enough.",
            ),
            (
                "Een zichtbare samenhang tussen kwaliteitsplan, jaarplan, maand- of tertaalrapportage en "
                "kwaliteitsrapporten.",
                "A visible link between the quality plan, the annual plan, the monthly or four-monthly report "
                "and the quality reports.",
            ),
            (
                "Controles op de naleving van de wettelijke kaders (informatiebeveiliging, privacy).",
                "Checks on compliance with the legal frameworks (information security, privacy).",
            ),
        ),
        soft_controls=(
            (
                "Een gedeelde opvatting over wat operationele kwaliteit is (juistheid, tijdigheid, "
                "volledigheid), niet te verwarren met rechtmatigheid of klanttevredenheid.",
                "A shared view of what operational quality is (correctness, timeliness, completeness), not to "
                "be confused with lawfulness or customer satisfaction.",
            ),
            (
                "Peer-review en feedback die inzicht geven op team- en afdelingsniveau, niet alleen individueel.",
                "Peer review and feedback that give insight at team and department level, not only individually.",
            ),
        ),
        questions=(
            (
                "Hoe meet u de juistheid, tijdigheid en volledigheid van uw dienstverlening, en hoe vaak?",
                "How do you measure the correctness, timeliness and completeness of your services, and how often?",
            ),
            (
                "Wanneer is een product of dienst goed genoeg, en waar is dat vastgelegd?",
                "When is a product or service good enough, and where is that recorded?",
            ),
            (
                "Hoe krijgt het management inzicht in de operationele kwaliteit, op team-, afdelings- en "
                "onderdeelniveau?",
                "How does management gain insight into operational quality, at team, department and unit level?",
            ),
            (
                "Welke verbeteringen zijn na een meting doorgevoerd, en wat hebben ze opgeleverd?",
                "Which improvements were made after a measurement, and what did they achieve?",
            ),
        ),
    ),
    DefaultPrinciple(
        code="steering_accountability",
        name="Sturen en verantwoorden",
        name_en="Steering and accountability",
        definition=(
            "De organisatie stuurt op en verantwoordt over het realiseren van haar visie aan haar "
            "belanghebbenden, zoals dienstverlening met de menselijke maat. De organisatie kent haar "
            "belanghebbenden en diens verwachtingen en vertaalt die naar concrete doelstellingen. De "
            "organisatie kent en speelt in op de onderlinge afhankelijkheden tussen en binnen "
            "bedrijfsonderdelen."
        ),
        definition_en=(
            "The organisation steers on, and accounts to its stakeholders for, realising its vision, such as "
            "services with the human dimension. The organisation knows its stakeholders and their "
            "expectations and translates them into concrete objectives. The organisation knows and responds "
            "to the dependencies between and within business units."
        ),
        hard_controls=(
            (
                "Jaarplan, kwaliteitsplan en teamplannen met SMART geformuleerde doelstellingen, tot op teamniveau.",
                "Annual plan, quality plan and team plans with SMART objectives, down to team level.",
            ),
            (
                "Een KPI-set die logisch aansluit op de doelstellingen, met productie- én kwaliteitsdoelstellingen.",
                "A KPI set that follows logically from the objectives, with production and quality objectives.",
            ),
            (
                "Uniforme periodieke managementrapportages op alle niveaus, met de effecten van bijsturing.",
                "Uniform periodic management reports at every level, including the effects of adjustments.",
            ),
            (
                "Verantwoordingsgesprekken tussen directie, managers en teams over rapportages en KPI's.",
                "Accountability meetings between directors, managers and teams on reports and KPIs.",
            ),
        ),
        soft_controls=(
            (
                "Sturen op waarden en zingeving naast de cijfers (waarden-gedreven sturen).",
                "Steering on values and purpose besides the figures (value-driven steering).",
            ),
            (
                "Onderling aanspreken op resultaten en zelfreflectie, zodat eerder wordt bijgestuurd.",
                "Holding one another to account for results and self-reflection, so that adjustment comes sooner.",
            ),
            (
                "Samenwerking met de onderdelen waarvan men in de keten afhankelijk is, met gedeelde prioriteiten.",
                "Cooperation with the units one depends on in the chain, with shared priorities.",
            ),
        ),
        questions=(
            (
                "Hoe zijn de doelstellingen van uw onderdeel vertaald naar afdelingen en teams, en zijn ze SMART?",
                "How are your unit's objectives translated to departments and teams, and are they SMART?",
            ),
            (
                "Welke rapportages en KPI's gebruikt u om te sturen, en wat gebeurt er als een doelstelling "
                "niet wordt gehaald?",
                "Which reports and KPIs do you use to steer, and what happens when an objective is not met?",
            ),
            (
                "Hoe stelt u vast of een bijsturing het gewenste effect had?",
                "How do you establish whether an adjustment had the desired effect?",
            ),
            (
                "Van welke onderdelen bent u in de keten afhankelijk, en hoe stelt u samen prioriteiten?",
                "Which units do you depend on in the chain, and how do you set priorities together?",
            ),
        ),
    ),
    DefaultPrinciple(
        code="supplier_relations",
        name="Win-win-relaties met leveranciers",
        name_en="Mutually beneficial supplier relationships",
        definition=(
            "Een organisatie en haar leveranciers zijn wederzijds afhankelijk; een wederzijds voordelige "
            "relatie (relatiemanagement) vergroot het vermogen van beide om waarde te creëren. Het principe "
            "geldt in het bijzonder voor onderdelen die diensten of middelen inkopen of uitbesteden."
        ),
        definition_en=(
            "An organisation and its suppliers are interdependent; a mutually beneficial relationship "
            "(relationship management) enhances the ability of both to create value. The principle applies "
            "in particular to units that buy in or outsource services or resources."
        ),
        hard_controls=(
            (
                "Contracten en dienstverleningsovereenkomsten met afspraken over kwaliteit en gegevensverwerking.",
                "Contracts and service level agreements with agreements on quality and data processing.",
            ),
            (
                "Periodieke leveranciersbeoordelingen en rapportages over de geleverde prestaties.",
                "Periodic supplier evaluations and reports on the performance delivered.",
            ),
            (
                "Een overzicht van de leveranciers met een eigenaar (contractmanager) per relatie.",
                "An overview of the suppliers with an owner (contract manager) for each relationship.",
            ),
        ),
        soft_controls=(
            (
                "Regelmatig overleg met leveranciers als partners, gericht op samen verbeteren.",
                "Regular consultation with suppliers as partners, aimed at improving together.",
            ),
            (
                "Open communicatie over knelpunten en verwachtingen, in beide richtingen.",
                "Open communication about bottlenecks and expectations, in both directions.",
            ),
        ),
        questions=(
            (
                "Welke leveranciers zijn het belangrijkst voor de kwaliteit van uw dienstverlening, en wie "
                "beheert die relaties?",
                "Which suppliers matter most for the quality of your services, and who manages those relationships?",
            ),
            (
                "Hoe beoordeelt u de prestaties van leveranciers, en wat doet u met de uitkomst?",
                "How do you evaluate suppliers' performance, and what do you do with the outcome?",
            ),
            (
                "Hoe verbetert u samen met leveranciers, en wat levert dat beide partijen op?",
                "How do you improve together with suppliers, and what does that bring both parties?",
            ),
        ),
    ),
)

# The source's first cycle year assessed these three (SPEC 6); the other six are split over the
# cycle's second and third years in the order above.
FIRST_YEAR_PRINCIPLES: tuple[str, ...] = ("customer_focus", "steering_accountability", "operational_quality")
