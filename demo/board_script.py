"""The demo board's script, in words: the concerns people raise over the demo weeks
and where each story ends, the updates that answer them, and the notes left with
two-click ratings. `demo.board` plays it through the board's services."""

from __future__ import annotations

from dataclasses import dataclass

from feedback.models import Category
from org.models import Accuracy

C = Category
COPILOT, CODE, SUMMARISER = "Support Copilot", "Code Assistant", "Meeting Summariser"
CONTRACTS, FORECASTER = "Contract Review Agent", "Demand Forecaster"
RATINGS = 200  # two-click ratings over the demo weeks, shared by the live tools
RATING_SHARE = {COPILOT: 0.45, CODE: 0.3, SUMMARISER: 0.25}
# Where raisers of a tool's concerns work: the people who use it most.
TOOL_DEPARTMENT = {
    COPILOT: "Customer Support",
    CODE: "Engineering",
    CONTRACTS: "Operations",
}
# HR's demo policies: who owns a category's concerns when no tool names an owner.
POLICIES = {
    C.JOB_SECURITY: ("hr", 2),
    C.SURVEILLANCE: ("Legal and Compliance", 3),
    C.GOVERNANCE: ("Legal and Compliance", 3),
    C.FAIRNESS: ("Data", 3),
    C.TRAINING: ("hr", 3),
    C.ACCURACY: ("Platform", 3),
}
# Days between the steps of a story (low, high).
GAPS = {
    "comment": (0.1, 2.0),
    "support": (0.0, 0.6),
    "ack": (0.2, 1.5),
    "official": (0.3, 4.0),
    "reassign": (0.1, 1.0),
    "progress": (0.5, 4.0),
    "resolve": (3.0, 12.0),
    "decline": (0.5, 3.0),
    "merge": (0.5, 2.0),
    "hidden": (0.1, 1.0),
}
CHASERS = (
    "Any news on this? It has been more than a week.",
    "Same here. Would be good to hear something, even if it's 'we don't know yet'.",
    "+1, this comes up in our team every week.",
)
ME_TOO = (
    "This matches what I see most days.",
    "Thanks for raising it; I wasn't sure whether it was just me.",
    "Our team talked about exactly this at stand-up.",
    "Same experience here, especially when the queue is busy.",
    "Good question. I'd like to know the answer too.",
)


@dataclass(frozen=True)
class Spec:
    """One concern's story. `end` is where it ends up:

    fresh (new, not due yet), overdue (new, past due, unanswered), ack_overdue
    (acknowledged, past due, unanswered), ack, progress, resolved, declined, merged.
    """

    title: str
    body: str
    category: str
    end: str
    when: float = 0.5  # when it was raised: 0 the demo's start, 1 a few days ago
    tool: str = ""
    by: str = ""  # "employee": the demo login; else someone drawn
    anonymous: bool = False
    customer: bool = False
    response: str = ""  # the official response
    progress: str = ""  # the note when it moves to in progress
    outcome: str = ""  # the resolved outcome or declined reason; merged: survivor
    comments: tuple[str, ...] = ()
    reassign: str = ""  # who takes it over: a team whose lead does, or "hr"
    hr_answers: bool = False  # HR answers rather than the owner
    hidden: tuple[str, str] = ("", "")  # a comment a moderator hides, and why
    flagged: str = ""  # an open flag on the concern, for the moderation queue


SPECS: tuple[Spec, ...] = (
    # --- Resolved, with written outcomes -------------------------------------------
    Spec(
        "Support Copilot drafts get our refund policy wrong",
        "Three times this week the draft told a customer they could get a refund "
        "within 60 days. Our policy is 30. On a busy afternoon that goes out "
        "unnoticed. Can the copilot be pointed at the current policy pages?",
        C.ACCURACY,
        "resolved",
        when=0.1,
        tool=COPILOT,
        response="Thanks for the examples, they made it easy to find. The copilot "
        "was reading an archived copy of the policy pages; we are re-indexing the "
        "knowledge base this week.",
        progress="Re-indexing the knowledge base from the live policy pages.",
        outcome="The knowledge base now comes from the live policy pages only and "
        "archived pages are excluded. Refund drafts quote the 30-day rule and link "
        "the policy. Please keep rating drafts so we can see that it holds.",
        comments=(
            "Happened to me twice yesterday, both times on annual plans.",
            "Checked this morning: the drafts quote 30 days now. Thanks!",
        ),
    ),
    Spec(
        "Will the copilot be used to cut support headcount?",
        "Every all-hands talks about 'efficiency gains'. Nobody says what happens to "
        "the people whose tickets the copilot now drafts. Please give us a straight "
        "answer: are jobs in Support at risk because of this tool?",
        C.JOB_SECURITY,
        "resolved",
        when=0.15,
        tool=COPILOT,
        anonymous=True,
        hr_answers=True,
        response="A fair question, and you deserve a direct answer rather than "
        "slogans. Leadership is meeting on Thursday to put a commitment in writing; "
        "we will post it here.",
        progress="Written commitment drafted; being reviewed with staff "
        "representatives.",
        outcome="Leadership has committed in writing: no role in Support will be "
        "cut because of the copilot during the rollout year. Time saved goes to the "
        "backlog, to harder cases and to training. The commitment is on the "
        "intranet and will be reviewed with staff representatives every quarter.",
        comments=(
            "Thank you for asking this. Half my team is job hunting just in case.",
            "A written commitment would go a long way.",
        ),
        hidden=(
            "Ask the Escalations manager, he has wanted to cut our team for a year.",
            "Names a colleague and guesses at his motives. Please keep the board "
            "about decisions, not about people.",
        ),
    ),
    Spec(
        "Are keystrokes or acceptance rates tracked per person?",
        "The Code Assistant's vendor dashboard shows 'acceptance rate by user'. Is "
        "that switched on for us, and who can see it? I don't want my performance "
        "review to depend on how often I press Tab.",
        C.SURVEILLANCE,
        "resolved",
        when=0.2,
        tool=CODE,
        response="We are checking the configuration with the vendor and will "
        "publish exactly what is collected.",
        outcome="Only organisation-wide usage totals are collected. Per-person "
        "acceptance rates are switched off and will stay off; the setting is now "
        "listed on the tool's acceptable-use page, and reviews never use it.",
        comments=("Good to see this asked in the open.",),
    ),
    Spec(
        "Meeting Summariser kept recording after the meeting ended",
        "After our team meeting a few of us stayed on the call to talk about "
        "something personal. The summariser was still running and put it in the "
        "notes that went to everyone invited. That should not be possible.",
        C.SURVEILLANCE,
        "resolved",
        when=0.25,
        tool=SUMMARISER,
        response="I am sorry this happened. The notes have been deleted from every "
        "mailbox and the recording is gone. We are changing how the summariser "
        "leaves a call.",
        outcome="Recording now stops when the host ends the meeting and the "
        "summariser leaves the call. Everyone sees a banner while it runs. The "
        "recording in question was deleted on the day it was reported.",
        comments=(
            "This is exactly why people are nervous about these tools.",
            "Thank you for deleting it so quickly.",
        ),
    ),
    Spec(
        "We need real training, not a ten-minute video",
        "The only training for the copilot was a short video. Nobody showed us how "
        "to check a draft quickly, what it is bad at, or what to do when it is "
        "wrong. I feel like I am learning on the customers.",
        C.TRAINING,
        "resolved",
        when=0.18,
        tool=COPILOT,
        by="employee",
        response="You're right that the video was not enough. We are planning "
        "hands-on sessions per team, in working time.",
        progress="Sessions being scheduled with each team lead.",
        outcome="Every support team gets two hands-on sessions of 90 minutes in "
        "working time, plus weekly office hours with the AI team. The first "
        "sessions have run; the schedule is on the training page.",
        comments=(
            "Please make the sessions at times part-timers can attend.",
            "The first session was genuinely useful, thanks.",
        ),
    ),
    Spec(
        "Code suggestions include deprecated crypto functions",
        "The assistant keeps suggesting MD5 for hashing and an old TLS setting in "
        "our client code. Reviewers catch most of it, but not all. Who owns fixing "
        "this?",
        C.ACCURACY,
        "resolved",
        when=0.3,
        tool=CODE,
        response="I own it. We are adding our internal lint rules as context and "
        "talking to the vendor about security-sensitive suggestions.",
        progress="Lint rules added as context in a pilot team.",
        outcome="The assistant now uses our lint rules as context, and suggestions "
        "touching cryptography carry a warning. The secure-coding checklist is part "
        "of onboarding.",
        comments=("Seen the same with SQL string formatting.",),
    ),
    Spec(
        "Summaries invent action items nobody agreed to",
        "Twice now the summary listed actions with owners that were never agreed. "
        "People then get chased for things they never promised.",
        C.ACCURACY,
        "resolved",
        when=0.35,
        tool=SUMMARISER,
        response="Thanks. We have asked the vendor for a stricter mode and will "
        "trial it with two teams.",
        outcome="Action items are now listed only when someone states them with an "
        "owner, and uncertain items are marked for the host to confirm before the "
        "summary is shared.",
    ),
    Spec(
        "Ticket targets went up the week the copilot went live",
        "Our daily target went from 40 to 48 tickets the same week the copilot "
        "arrived. That is not saving time, it is more pressure, and checking drafts "
        "properly takes time too.",
        C.WORKLOAD,
        "resolved",
        when=0.22,
        tool=COPILOT,
        response="The target change was a mistake in how it was communicated and "
        "timed. We are reviewing it with the team leads this week.",
        outcome="Ticket targets are back at their pre-rollout level until the end of "
        "the quarter, and any change will be discussed with the team first.",
        comments=(
            "Thank you for raising this, it has been the main topic in our team.",
            "Frontline too. Checking drafts properly is real work.",
        ),
    ),
    Spec(
        "Which customer data may go into prompts?",
        "The acceptable-use text says 'no sensitive data' but does not say what "
        "that means for tickets. Can I paste an order history? A complaint about a "
        "medical device?",
        C.GOVERNANCE,
        "resolved",
        when=0.4,
        tool=COPILOT,
        response="Good point: the text is too vague. We will add examples.",
        outcome="The acceptable-use text now lists, with examples, what may go into "
        "prompts: ticket text and order history yes; payment card numbers and "
        "health details no. A one-page summary is pinned in every support channel.",
    ),
    Spec(
        "Please tell us when a reply was drafted with AI",
        "As a customer I would like to know when a reply was written with AI help. "
        "We are fine with it, but we want to know who is answering us.",
        C.GOVERNANCE,
        "resolved",
        when=0.45,
        tool=COPILOT,
        customer=True,
        response="Thank you, this is a fair request. We are preparing a short note "
        "for replies drafted with the copilot.",
        outcome="Replies drafted with the copilot now carry a short note saying so, "
        "and every reply is still read and sent by a named agent.",
    ),
    Spec(
        "Copilot drafts sound cold when a customer complains",
        "For complaints the drafts are polite but cold, and customers notice. I "
        "rewrite almost every complaint draft from scratch.",
        C.ACCURACY,
        "resolved",
        when=0.5,
        tool=COPILOT,
        response="Thanks, we see the same in the ratings for complaint tickets.",
        outcome="Complaint drafts now start from our tone-of-voice guide, and agents "
        "can ask for a warmer style. We will check the ratings on complaint tickets "
        "again in a month.",
        comments=("Agreed, especially for long-standing customers.",),
    ),
    Spec(
        "Can we switch suggestions off when we need to focus?",
        "Constant suggestions break my concentration when I am debugging. Is it "
        "allowed to turn them off, and will it count against me?",
        C.WORKLOAD,
        "resolved",
        when=0.55,
        tool=CODE,
        response="It is allowed, and it does not count against anyone.",
        outcome="A shortcut and a focus setting now pause suggestions. Nobody is "
        "measured on how often they use the assistant.",
    ),
    # --- Declined, with reasons ----------------------------------------------------
    Spec(
        "Pause every AI tool until staff representatives agree",
        "We should stop all AI tools until there is a formal agreement with staff "
        "representatives about how they are used.",
        C.GOVERNANCE,
        "declined",
        when=0.3,
        outcome="We will not pause the live tools: they were consulted on and many "
        "people rely on them daily. We do agree that staff representatives should be "
        "involved in every new tool: their review is now part of go-live, starting "
        "with the Contract Review Agent pilot.",
        comments=(
            "I don't agree with pausing everything, but a say in new tools is fair.",
        ),
        flagged="Reads more like a campaign than a concern.",
    ),
    Spec(
        "Let the copilot send simple replies on its own",
        "For password resets and delivery dates the drafts are always right. Let "
        "the copilot send those without an agent clicking send.",
        C.WORKLOAD,
        "declined",
        when=0.6,
        tool=COPILOT,
        outcome="Not now. Every draft is read by an agent before it goes out; that "
        "is part of the acceptable use and what we told customers. We will revisit "
        "when the accuracy ratings are consistently high and customers have been "
        "asked.",
    ),
    Spec(
        "Bring back the Demand Forecaster",
        "The new staffing model gets Mondays badly wrong. The forecaster was better, "
        "why was it retired?",
        C.OTHER,
        "declined",
        when=0.35,
        tool=FORECASTER,
        outcome="The forecaster was retired because its numbers could not be "
        "explained to the people whose rotas they set. The new model is simpler and "
        "transparent; tell the planning team where its rota is wrong and they will "
        "fix it.",
    ),
    Spec(
        "Use the copilot to score agents' replies",
        "The copilot could score every reply for quality so team leads see who "
        "needs coaching.",
        C.FAIRNESS,
        "declined",
        when=0.65,
        tool=COPILOT,
        outcome="We will not score or rank people with AI. Quality reviews stay with "
        "team leads who know the context; the copilot is for drafting, not for "
        "judging colleagues.",
        comments=("Glad this was declined.",),
    ),
    Spec(
        "Why is there no chatbot at night?",
        "When something breaks at night we can only wait for the morning. A chatbot "
        "could at least answer simple questions.",
        C.OTHER,
        "declined",
        when=0.5,
        customer=True,
        outcome="We have no plans for an unsupervised chatbot: every answer is "
        "written or checked by a person. Urgent incidents have a 24/7 phone line, "
        "listed on your support page.",
    ),
    Spec(
        "Refund answers from the copilot are wrong",
        "The copilot keeps offering refunds outside the policy window.",
        C.ACCURACY,
        "merged",
        when=0.12,
        tool=COPILOT,
        outcome="Support Copilot drafts get our refund policy wrong",
    ),
    # --- In progress -----------------------------------------------------------------
    Spec(
        "Who is accountable when the copilot gives a customer wrong advice?",
        "If a draft is wrong and I miss it, is that my mistake or the tool's? We "
        "need clear rules before something expensive happens.",
        C.GOVERNANCE,
        "progress",
        when=0.55,
        tool=COPILOT,
        response="The agent who sends a reply remains its author, and the tool's "
        "owner answers for the tool. We are writing this up with worked examples.",
        progress="Draft accountability section shared with team leads for comment.",
        comments=(
            "Please include what happens if the knowledge base itself is wrong.",
        ),
    ),
    Spec(
        "Contract Review Agent flags clauses from our own template",
        "In the pilot the agent marks our standard liability clause as unusual in "
        "almost every contract, so we ignore its flags.",
        C.ACCURACY,
        "progress",
        when=0.6,
        tool=CONTRACTS,
        reassign="Legal and Compliance",
        response="Thanks, the agent does not know our templates yet. Legal will "
        "take this on as they run the pilot day to day.",
        progress="Adding our contract templates to the agent's reference set.",
    ),
    Spec(
        "The summariser struggles with accents",
        "Colleagues with strong accents are misquoted or left out of the summaries. "
        "It makes it look as if they said nothing.",
        C.FAIRNESS,
        "progress",
        when=0.5,
        tool=SUMMARISER,
        response="This matters, thank you. We are collecting examples (with "
        "consent) to send to the vendor and will test their newer speech model.",
        progress="Testing the vendor's newer speech model with volunteers.",
        comments=("Happens to me in every meeting.", "Same for our Lisbon team."),
    ),
    Spec(
        "Training sessions fall on part-timers' days off",
        "Every copilot session so far was on a Monday or Friday, and most part-time "
        "colleagues do not work those days.",
        C.TRAINING,
        "progress",
        when=0.62,
        tool=COPILOT,
        response="Thanks for pointing this out. We will add sessions midweek.",
        progress="Midweek sessions added; recordings being prepared.",
    ),
    Spec(
        "Where do our prompts and data go?",
        "Before we renew, we need to know whether our tickets are used to train any "
        "AI model, and where the data is stored.",
        C.SURVEILLANCE,
        "progress",
        when=0.58,
        tool=COPILOT,
        customer=True,
        response="Your tickets are not used to train the vendor's models, and data "
        "stays in EU data centres. We are preparing a written summary for "
        "customers.",
        progress="Data-processing summary with the legal team for review.",
    ),
    Spec(
        "New hires learn the copilot before they learn the product",
        "Our newest colleagues lean on the drafts without knowing the product well "
        "enough to spot mistakes.",
        C.TRAINING,
        "progress",
        when=0.66,
        tool=COPILOT,
        response="Good point. We are looking at switching the copilot on only after "
        "the first four weeks.",
        progress="Onboarding plan being rewritten with two team leads.",
    ),
    Spec(
        "Code review takes longer since the assistant arrived",
        "Pull requests got bigger and reviewers now read much more generated code. "
        "Review time has gone up, not down.",
        C.WORKLOAD,
        "progress",
        when=0.64,
        tool=CODE,
        response="We see the same in the review metrics. We are trialling limits on "
        "pull request size.",
        progress="Two teams trialling a pull request size limit.",
        comments=("Big +1. Reviews are the bottleneck now.",),
    ),
    Spec(
        "Will AI use come up in performance reviews?",
        "My manager mentioned that 'adoption of the new tools' will be discussed in "
        "reviews. What does that mean in practice?",
        C.FAIRNESS,
        "progress",
        when=0.7,
        anonymous=True,
        reassign="hr",
        response="Reviews look at outcomes, not at how much anyone uses a tool. We "
        "are checking how this was communicated to managers.",
        progress="Guidance for managers on reviews being updated.",
    ),
    # --- Acknowledged ----------------------------------------------------------------
    Spec(
        "Will Escalations be replaced next?",
        "Frontline got the copilot first. Escalations is next on the roadmap slide. "
        "What does that mean for us?",
        C.JOB_SECURITY,
        "ack",
        when=0.8,
        anonymous=True,
        hr_answers=True,
        response="The same written commitment applies to Escalations: no role is "
        "cut because of an AI tool during the rollout year. We will talk to the "
        "team before anything changes.",
    ),
    Spec(
        "Summaries credit ideas to whoever talks most",
        "In our summaries, ideas raised by quieter colleagues end up attributed to "
        "the person who repeated them loudest.",
        C.FAIRNESS,
        "ack",
        when=0.82,
        tool=SUMMARISER,
        response="Thanks, we will look at turning off attribution of ideas in "
        "summaries.",
    ),
    Spec(
        "Copilot translations of Polish tickets are unreliable",
        "Drafts for Polish customers mix formal and informal forms and sometimes "
        "mistranslate product names.",
        C.ACCURACY,
        "ack",
        when=0.85,
        tool=COPILOT,
        response="Thank you. We will collect examples with the two Polish-speaking "
        "agents and check the vendor's language settings.",
    ),
    Spec(
        "Too many AI tools launched in one quarter",
        "Three tools in three months, each with its own rules. It is hard to keep "
        "up alongside the normal workload.",
        C.WORKLOAD,
        "ack",
        when=0.78,
        by="employee",
        hr_answers=True,
        response="Fair. The next tool will not go live before the summer, and we "
        "will publish a single page of rules for all tools.",
        comments=("Yes please to one page of rules.",),
    ),
    Spec(
        "The night shift was never shown the copilot",
        "All the copilot sessions and office hours are in the daytime. The night "
        "shift got an email with a link and that was it.",
        C.TRAINING,
        "ack",
        when=0.88,
        tool=COPILOT,
        hr_answers=True,
        response="Thanks for flagging this. We will run two sessions at the start "
        "of night shifts and record the office hours.",
        comments=("Weekend staff are in the same position.",),
    ),
    Spec(
        "Can the Data team read the prompts we type?",
        "Is there a log of what we type into the Code Assistant, and who can read it?",
        C.SURVEILLANCE,
        "ack_overdue",
        tool=CODE,
    ),
    # --- New -------------------------------------------------------------------------
    Spec(
        "The copilot suggests the wrong escalation queue",
        "For billing disputes the draft suggests the technical queue. Small thing, "
        "but it adds a day to the customer's wait.",
        C.ACCURACY,
        "fresh",
        tool=COPILOT,
    ),
    Spec(
        "May we use AI to write internal job applications?",
        "Some colleagues use chat tools to write their applications for internal "
        "roles. Is that allowed, and will it be held against them?",
        C.GOVERNANCE,
        "fresh",
    ),
    Spec(
        "A reply mentioned a product we do not have",
        "Your reply recommended an add-on that does not exist on our plan.",
        C.ACCURACY,
        "fresh",
        tool=COPILOT,
        customer=True,
    ),
    Spec(
        "Job descriptions are being rewritten around the tools",
        "Our job descriptions were updated to include 'reviewing AI drafts'. Nobody "
        "explained whether pay or grades change with it.",
        C.JOB_SECURITY,
        "overdue",
        anonymous=True,
        comments=CHASERS[:2],
    ),
    Spec(
        "Is the summariser used in HR meetings?",
        "I heard the summariser was switched on in a meeting about someone's "
        "performance. Is that allowed?",
        C.SURVEILLANCE,
        "overdue",
        tool=SUMMARISER,
        comments=CHASERS[2:],
    ),
    Spec(
        "No time to check drafts properly at peak hours",
        "Between 10 and 12 the queue is so long that I send drafts after a quick "
        "glance. I know I shouldn't, but the queue does not wait.",
        C.WORKLOAD,
        "overdue",
        tool=COPILOT,
        by="employee",
        comments=("Same in our shift.",),
    ),
    Spec(
        "Who chose the Contract Review Agent pilot participants?",
        "The pilot group is all senior lawyers. Junior colleagues do most of the "
        "first reads and were not asked.",
        C.FAIRNESS,
        "overdue",
        tool=CONTRACTS,
    ),
    Spec(
        "Is our code used to train the vendor's model?",
        "The vendor's terms changed last month. Does our code now go into their "
        "training data?",
        C.GOVERNANCE,
        "overdue",
        tool=CODE,
    ),
)

# (title, author: "hr" or a tool's owner, tool, body, the concerns it answers)
UPDATES = (
    (
        "Support Copilot now reads only the live policy pages",
        COPILOT,
        "The copilot's knowledge base was rebuilt from the live policy pages, and "
        "complaint drafts start from our tone-of-voice guide. Thank you for the "
        "examples and the ratings that showed us the problem.",
        (
            "Support Copilot drafts get our refund policy wrong",
            "Copilot drafts sound cold when a customer complains",
        ),
    ),
    (
        "Meeting Summariser: recording ends with the meeting",
        SUMMARISER,
        "The summariser now leaves the call when the host ends the meeting, shows a "
        "banner while it runs, and lists action items only when they are agreed "
        "with an owner.",
        (
            "Meeting Summariser kept recording after the meeting ended",
            "Summaries invent action items nobody agreed to",
        ),
    ),
    (
        "Hands-on AI training for every support team",
        "",
        "Two 90-minute sessions per team in working time, midweek sessions for "
        "part-time colleagues, weekly office hours with the AI team, and recordings "
        "for those who cannot attend.",
        (
            "We need real training, not a ten-minute video",
            "Training sessions fall on part-timers' days off",
            "New hires learn the copilot before they learn the product",
        ),
    ),
)
RATING_NOTES = {
    Accuracy.CORRECT: ("Spot on.", "Saved me ten minutes.", "Exactly what I needed."),
    Accuracy.MOSTLY_CORRECT: (
        "Right answer, wrong tone.",
        "Had to fix a product name.",
        "Good start, needed a second paragraph.",
    ),
    Accuracy.INCORRECT: (
        "Quoted an old policy.",
        "Made up a feature.",
        "Wrong customer's order.",
    ),
}
