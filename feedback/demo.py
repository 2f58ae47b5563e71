"""The demo board: some forty concerns raised over the demo weeks, their threads,
supporters, official responses, updates, and two-click ratings of the live tools.

Everything goes through the board's services with explicit past times, so owners,
due times, history and notices are what a real rollout would have left behind.
Deterministic for a given rng and safe to run twice: a concern is found by its
title and an update by its title, and their stories are told only when missing;
a tool that has ratings gets none. The scheduler's follow-ups (reminders,
escalations, nudges) are replayed each working morning of the demo weeks. Notices
written here are history, so they are marked sent (at their own time) rather than
emailed by the next scheduler tick.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Max, Model
from django.utils import timezone

from feedback.models import (
    Category,
    CategoryPolicy,
    Comment,
    Concern,
    Flag,
    Notice,
    OutputRating,
    Status,
    Subscription,
    Update,
    Vote,
)
from feedback.services.concerns import (
    RateLimited,
    concern_merge,
    concern_raise,
    concern_reassign,
    concern_set_status,
)
from feedback.services.followups import followups_run
from feedback.services.moderation import flag, hide
from feedback.services.thread import comment_post, support_set
from feedback.services.updates import update_post
from org.demo import DemoOrg
from org.models import Accuracy, AITool, Person

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
class _Spec:
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


SPECS: tuple[_Spec, ...] = (
    # --- Resolved, with written outcomes -------------------------------------------
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
        "Refund answers from the copilot are wrong",
        "The copilot keeps offering refunds outside the policy window.",
        C.ACCURACY,
        "merged",
        when=0.12,
        tool=COPILOT,
        outcome="Support Copilot drafts get our refund policy wrong",
    ),
    # --- In progress -----------------------------------------------------------------
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
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
    _Spec(
        "Can the Data team read the prompts we type?",
        "Is there a log of what we type into the Code Assistant, and who can read it?",
        C.SURVEILLANCE,
        "ack_overdue",
        tool=CODE,
    ),
    # --- New -------------------------------------------------------------------------
    _Spec(
        "The copilot suggests the wrong escalation queue",
        "For billing disputes the draft suggests the technical queue. Small thing, "
        "but it adds a day to the customer's wait.",
        C.ACCURACY,
        "fresh",
        tool=COPILOT,
    ),
    _Spec(
        "May we use AI to write internal job applications?",
        "Some colleagues use chat tools to write their applications for internal "
        "roles. Is that allowed, and will it be held against them?",
        C.GOVERNANCE,
        "fresh",
    ),
    _Spec(
        "A reply mentioned a product we do not have",
        "Your reply recommended an add-on that does not exist on our plan.",
        C.ACCURACY,
        "fresh",
        tool=COPILOT,
        customer=True,
    ),
    _Spec(
        "Job descriptions are being rewritten around the tools",
        "Our job descriptions were updated to include 'reviewing AI drafts'. Nobody "
        "explained whether pay or grades change with it.",
        C.JOB_SECURITY,
        "overdue",
        anonymous=True,
        comments=CHASERS[:2],
    ),
    _Spec(
        "Is the summariser used in HR meetings?",
        "I heard the summariser was switched on in a meeting about someone's "
        "performance. Is that allowed?",
        C.SURVEILLANCE,
        "overdue",
        tool=SUMMARISER,
        comments=CHASERS[2:],
    ),
    _Spec(
        "No time to check drafts properly at peak hours",
        "Between 10 and 12 the queue is so long that I send drafts after a quick "
        "glance. I know I shouldn't, but the queue does not wait.",
        C.WORKLOAD,
        "overdue",
        tool=COPILOT,
        by="employee",
        comments=("Same in our shift.",),
    ),
    _Spec(
        "Who chose the Contract Review Agent pilot participants?",
        "The pilot group is all senior lawyers. Junior colleagues do most of the "
        "first reads and were not asked.",
        C.FAIRNESS,
        "overdue",
        tool=CONTRACTS,
    ),
    _Spec(
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


@dataclass(frozen=True)
class DemoFeedback:
    concerns_created: int
    concerns: int  # the demo's concerns, seeded now or before
    overdue: int
    updates_created: int
    updates: int  # the demo's updates, posted now or before
    ratings_created: int
    ratings: int


def seed_feedback(
    *,
    rng: random.Random,
    org: DemoOrg,
    start: dt.datetime,
    now: dt.datetime | None = None,
) -> DemoFeedback:
    now = now or timezone.now()
    cast = _Cast(org)
    with transaction.atomic():
        notices_before = Notice.objects.aggregate(m=Max("pk"))["m"] or 0
        _policies(cast)
        existing = set(
            Concern.objects.filter(title__in=[s.title for s in SPECS]).values_list(
                "title", flat=True
            )
        )
        # One seed per concern, drawn for every spec, so that a concern's story
        # does not depend on which others were already there.
        seeds = [rng.getrandbits(64) for _ in SPECS]
        told: dict[str, tuple[int, dt.datetime]] = {}  # title -> (pk, last event)
        for spec, seed in sorted(zip(SPECS, seeds, strict=True), key=_by_merge):
            if spec.title not in existing:
                story_rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
                story = _Story(spec, story_rng, cast, start=start, now=now)
                last = story.tell()
                told[spec.title] = (story.concern.pk, last)
        updates = _updates(cast, told, now)
        if told:
            _followups_replay(start, now)
        ratings = _ratings(rng, org, start, now)
        # History, not news: the next scheduler tick must not email it all.
        Notice.objects.filter(
            pk__gt=notices_before,
            concern__in=[pk for pk, _ in told.values()],
            sent_at=None,
        ).update(sent_at=F("created_at"))
    concerns = Concern.objects.filter(title__in=[s.title for s in SPECS])
    return DemoFeedback(
        concerns_created=len(told),
        concerns=concerns.count(),
        overdue=concerns.filter(
            status__in=[Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS],
            first_responded_at=None,
            first_response_due_at__lt=now,
        ).count(),
        updates_created=updates,
        updates=Update.objects.filter(title__in=[u[0] for u in UPDATES]).count(),
        ratings_created=ratings,
        ratings=OutputRating.objects.count(),
    )


def _by_merge(item: tuple[_Spec, int]) -> bool:
    return item[0].end == "merged"  # a duplicate after the concern it joins


class _Cast:
    """Who plays which part: the demo logins, team leads, raisers and the tools."""

    def __init__(self, org: DemoOrg) -> None:
        self.clock_start = timezone.now()  # rows stamped since are backdated
        self.hr, self.employee = org.hr, org.employee
        self.people = [p for p in org.people if p.pk not in (org.hr.pk, org.leader.pk)]
        self.customers = org.customers
        self.tools = {t.name: t for t in AITool.objects.select_related("owner__user")}
        teams = {
            p.pk: (p.team.name, p.team.department.name) if p.team else ("", "")
            for p in org.people
        }
        self.leads = {
            teams[p.pk][0]: p for p in org.people if p.job_title.endswith(" Lead")
        }
        self.by_department = {
            department: [p for p in self.people if teams[p.pk][1] == department]
            for department in {d for _, d in teams.values()}
        }

    def person(self, key: str) -> Person:
        """A team's lead, or HR when the key is "hr" or the team has none."""
        return self.hr if key == "hr" else self.leads.get(key, self.hr)

    def raiser(self, rng: random.Random, spec: _Spec) -> Person:
        if spec.by == "employee":
            return self.employee
        pool = self.by_department.get(TOOL_DEPARTMENT.get(spec.tool, ""), [])
        return rng.choice(pool or self.people)


def _policies(cast: _Cast) -> None:
    for category, (owner, days) in POLICIES.items():
        CategoryPolicy.objects.get_or_create(
            category=category,
            defaults={"default_owner": cast.person(owner), "response_days": days},
        )


class _Story:
    """One concern from the day it was raised to where the spec leaves it."""

    def __init__(
        self,
        spec: _Spec,
        rng: random.Random,
        cast: _Cast,
        *,
        start: dt.datetime,
        now: dt.datetime,
    ) -> None:
        self.spec, self.rng, self.cast, self.now = spec, rng, cast, now
        self.tool = cast.tools.get(spec.tool) if spec.tool else None
        self.raiser = cast.raiser(rng, spec)
        self.customer = rng.choice(cast.customers) if spec.customer else None
        self.comments = list(spec.comments)
        self.concern: Concern | None = None
        self.created = self._raised_at(start)

    def tell(self) -> dt.datetime:
        steps = self._steps()
        for step, at in zip(steps, self._times(steps), strict=True):
            getattr(self, f"_{step}")(at)
        return at

    def _steps(self) -> list[str]:
        end, spec = self.spec.end, self.spec
        talk = ["comment"] * len(self.comments)
        supports = 1 if end in ("fresh", "merged") else self.rng.randint(2, 3)
        steps = ["raise", *(["support"] * (0 if spec.customer else supports))]
        if end == "merged":
            return [*steps, "merge"]
        if spec.reassign:
            steps.append("reassign")
        if end in ("fresh", "overdue", "declined"):
            steps += talk
            if spec.hidden[0]:
                steps.append("hidden")
            return steps + (["decline"] if end == "declined" else [])
        steps.append("ack")
        if end == "ack_overdue":
            return steps + talk
        steps += ["official", *talk]
        if spec.hidden[0]:
            steps.append("hidden")
        if end in ("progress", "resolved"):
            steps.append("progress")
        return steps + (["resolve"] if end == "resolved" else [])

    def _raised_at(self, start: dt.datetime) -> dt.datetime:
        end, rng, now = self.spec.end, self.rng, self.now
        if end == "fresh":  # not due yet
            at = now - dt.timedelta(hours=rng.uniform(2, 30))
        elif end in ("overdue", "ack_overdue"):  # well past a 3-working-day due time
            at = now - dt.timedelta(days=rng.uniform(7, 13))
        else:
            span = max(now - dt.timedelta(days=3) - start, dt.timedelta(0))
            at = start + span * self.spec.when + dt.timedelta(hours=rng.uniform(0, 8))
        return max(start, _office_hours(_weekday(at), now=now))

    def _times(self, steps: list[str]) -> list[dt.datetime]:
        """The steps' times: gaps drawn per kind of step, squeezed into the time
        left before now when the demo is short."""
        gaps = [0.0] + [self.rng.uniform(*GAPS[s]) for s in steps[1:]]
        total = sum(gaps) or 1.0
        room = (self.now - dt.timedelta(hours=1) - self.created).total_seconds()
        scale = min(1.0, max(room, 0) / (total * 86400))
        times, at = [], self.created
        for gap in gaps:
            at += dt.timedelta(days=gap * scale)
            moved = _office_hours(at, now=self.now)
            # Near `now` some times move and others cannot: never go backwards.
            times.append(max(moved, times[-1]) if times else moved)
        return times

    def _raise(self, at: dt.datetime) -> None:
        spec = self.spec
        self.concern = _posted(
            concern_raise,
            title=spec.title,
            body=spec.body,
            category=spec.category,
            by=None if spec.customer else self.raiser,
            customer=self.customer,
            anonymous=spec.anonymous,
            ai_tool=self.tool,
            now=at,
        )
        _backdate(Subscription, at, self.cast, concern=self.concern)
        if spec.flagged:
            flag(target=self.concern, by=self.cast.employee, reason=spec.flagged)
            _backdate(Flag, at, self.cast, concern=self.concern)

    def _support(self, at: dt.datetime) -> None:
        count = self.rng.randint(1, 5) if self.spec.end != "fresh" else 1
        for person in self.rng.sample(self.cast.people, count):
            if person.pk != self.raiser.pk:
                follow = self.rng.random() < 0.3
                support_set(
                    concern=self.concern, person=person, supported=True, follow=follow
                )
        _backdate(Vote, at, self.cast, concern=self.concern)
        _backdate(Subscription, at, self.cast, concern=self.concern)

    def _comment(self, at: dt.datetime) -> None:
        body = self.comments.pop(0) if self.comments else self.rng.choice(ME_TOO)
        self._say(at, body)

    def _say(self, at: dt.datetime, body: str) -> Comment:
        others = [p for p in self.cast.people if p.pk != self.raiser.pk]
        by = self.rng.choice(others)
        comment = _posted(comment_post, concern=self.concern, by=by, body=body, now=at)
        _backdate(Subscription, at, self.cast, concern=self.concern, person=by)
        return comment

    def _hidden(self, at: dt.datetime) -> None:
        text, reason = self.spec.hidden
        comment = self._say(at, text)
        reporter = self.rng.choice(self.cast.people)
        flag(target=comment, by=reporter, reason="Names a colleague.")
        _backdate(Flag, at, self.cast, comment=comment)
        hide(target=comment, by=self.cast.hr, reason=reason, now=at)

    def _ack(self, at: dt.datetime) -> None:
        self._move(at, Status.ACKNOWLEDGED, "")

    def _official(self, at: dt.datetime) -> None:
        by = self.cast.hr if self.spec.hr_answers else self._owner()
        _posted(
            comment_post,
            concern=self.concern,
            by=by,
            body=self.spec.response,
            official=True,
            now=at,
        )
        _backdate(Subscription, at, self.cast, concern=self.concern, person=by)

    def _progress(self, at: dt.datetime) -> None:
        self._move(at, Status.IN_PROGRESS, self.spec.progress)

    def _resolve(self, at: dt.datetime) -> None:
        self._move(at, Status.RESOLVED, self.spec.outcome)

    def _decline(self, at: dt.datetime) -> None:
        self._move(at, Status.DECLINED, self.spec.outcome)

    def _reassign(self, at: dt.datetime) -> None:
        owner = self.cast.person(self.spec.reassign)
        if owner.pk == self.concern.owner_id:
            owner = self.cast.hr if owner.pk != self.cast.hr.pk else self.raiser
        self.concern = concern_reassign(
            concern=self.concern,
            by=self.cast.hr,
            owner=owner,
            note=f"{owner.name} is closest to this; handing it over.",
            now=at,
        )

    def _merge(self, at: dt.datetime) -> None:
        survivor = Concern.objects.get(title=self.spec.outcome)
        concern_merge(
            duplicate=self.concern, survivor=survivor, by=self.cast.hr, now=at
        )
        _backdate(Vote, at, self.cast, concern=survivor)
        _backdate(Subscription, at, self.cast, concern=survivor)

    def _move(self, at: dt.datetime, status: str, note: str) -> None:
        self.concern = concern_set_status(
            concern=self.concern, by=self._owner(), to_status=status, note=note, now=at
        )

    def _owner(self) -> Person:
        return Person.objects.select_related("user").get(pk=self.concern.owner_id)


def _posted(service, **kwargs):
    """Call a posting service; the post rate limit counts real minutes, and the
    seeder writes weeks of history in one, so a tripped limit is reset."""
    try:
        return service(**kwargs)
    except RateLimited:
        cache.clear()
        return service(**kwargs)


def _backdate(model: type[Model], at: dt.datetime, cast: _Cast, **match) -> None:
    """Date rows that the services stamp with the clock (auto_now_add) at the
    event that made them; a row dated before is left as it was."""
    model.objects.filter(**match, created_at__gte=cast.clock_start).update(
        created_at=at
    )


def _updates(cast: _Cast, told: dict[str, dt.datetime], now: dt.datetime) -> int:
    created = 0
    for title, tool_name, body, answers in UPDATES:
        if Update.objects.filter(title=title).exists():
            continue
        concerns = list(Concern.objects.filter(title__in=answers).order_by("pk"))
        last = max(
            (told[c.title][1] for c in concerns if c.title in told), default=None
        )
        if last is None:
            continue  # its concerns were seeded before: so was the update
        tool = cast.tools.get(tool_name)
        author = tool.owner if tool and tool.owner else cast.hr
        at = min(last + dt.timedelta(hours=3), now - dt.timedelta(minutes=30))
        update_post(
            by=author, title=title, body=body, ai_tool=tool, concerns=concerns, now=at
        )
        created += 1
    return created


def _followups_replay(start: dt.datetime, now: dt.datetime) -> None:
    """The reminders, escalations and nudges the scheduler would have sent over
    the demo weeks, as if it ran each working morning (dated then, sent then)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    day = timezone.localdate(start, tz)
    while (at := dt.datetime.combine(day, dt.time(9), tzinfo=tz)) <= now:
        if day.weekday() < 5:
            followups_run(now=at)
        day += dt.timedelta(days=1)


def _ratings(
    rng: random.Random, org: DemoOrg, start: dt.datetime, now: dt.datetime
) -> int:
    """Two-click ratings for each live tool that has none, on working days from its
    go-live to yesterday; correct grows and incorrect shrinks as it matures."""
    tz = ZoneInfo(settings.TIME_ZONE)
    rated = set(OutputRating.objects.values_list("ai_tool_id", flat=True).distinct())
    last = timezone.localdate(now, tz) - dt.timedelta(days=1)
    rows = []
    for tool in org.tools:
        if tool.status != AITool.Status.LIVE or tool.pk in rated:
            continue
        first = timezone.localdate(max(start, tool.live_since or start), tz)
        days = [
            first + dt.timedelta(days=n)
            for n in range((last - first).days + 1)
            if (first + dt.timedelta(days=n)).weekday() < 5
        ]
        if not days:
            continue
        count = round(RATINGS * RATING_SHARE.get(tool.name, 0.2))
        for day in sorted(rng.choice(days) for _ in range(count)):
            rows.append(_rating(rng, tool, day, (day - first).days / 7))
    OutputRating.objects.bulk_create(rows)
    return len(rows)


def _rating(
    rng: random.Random, tool: AITool, day: dt.date, weeks: float
) -> OutputRating:
    correct = 0.3 + 0.3 * (1 - math.exp(-weeks / 5))
    wrong = 0.08 + 0.25 * math.exp(-weeks / 4)
    draw = rng.random()
    value = (
        Accuracy.CORRECT
        if draw < correct
        else Accuracy.INCORRECT
        if draw < correct + wrong
        else Accuracy.MOSTLY_CORRECT
    )
    note = rng.choice(RATING_NOTES[value]) if rng.random() < 0.15 else ""
    return OutputRating(ai_tool=tool, rating=value, note=note, rated_on=day)


def _weekday(at: dt.datetime) -> dt.datetime:
    """The same time on the Friday before when `at` falls on a weekend."""
    local = timezone.localtime(at, ZoneInfo(settings.TIME_ZONE))
    while local.weekday() >= 5:
        local -= dt.timedelta(days=1)
    return local


def _office_hours(at: dt.datetime, *, now: dt.datetime) -> dt.datetime:
    """The day squeezed into 08:00-18:00 local, order kept: people post at work,
    not at 02:00. A time that would move past `now` stays as it was."""
    local = timezone.localtime(at, ZoneInfo(settings.TIME_ZONE))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    into_day = (local - midnight) / dt.timedelta(days=1)
    moved = midnight + dt.timedelta(hours=8 + 10 * into_day)
    return moved if moved < now - dt.timedelta(hours=1) else local
