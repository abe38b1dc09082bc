"""Importing a bundle: documents, sources, measures, claims, figures and links in one
JSON object, referring to each other by keys the client chooses. All of it is
written, or none of it.

    {
      "documents": [{"key": "d1", "title": "...", "url": "...", "text": "..."}],
      "sources":   [{"key": "s1", "name": "...", "kind": "person", "parent": "s0"}],
      "measures":  [{"key": "m1", "name": "...", "unit": "troops"}],
      "claims":    [{"key": "c1", "source": "s1", "document": "d1", "quote": "...",
                     "statement": "...", "attribution_kind": "paraphrase",
                     "topics": ["Topic name"]}],
      "figures":   [{"key": "f1", "claim": "c1", "measure": "m1", "text": "..."}],
      "links":     [{"key": "l1", "from_claim": "c1", "to_claim": "c2",
                     "relation": "repeats"}]
    }

A reference is a key of the bundle or the id (a number) of a stored object. A
document whose URL, or a source or measure whose name, is already stored is matched
to the stored one rather than created again. Every row is validated with the models'
own rules (``full_clean()``, as the admin and the API do); a bad row is reported with
its kind, key, field and reason.

The format as a JSON Schema (draft 2020-12), built from ``FIELDS``, ``REFERENCES``
and the models' fields: ``claims.exchange.bundle_schema``, served at
``GET /api/import/schema/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Value
from django.db.models.functions import Lower

from claims import bulk_history, caching, services
from claims.choices import DERIVING_RELATIONS
from claims.models import Claim, Document, Figure, Link, Measure, Source, Topic

KINDS = ("documents", "sources", "measures", "claims", "figures", "links")
FIELDS = {
    "documents": services.writable(services.DocumentChanges),
    "sources": services.writable(services.SourceChanges),
    # A measure's topics are not taken from a bundle.
    "measures": [
        name for name in services.writable(services.MeasureChanges) if name != "topics"
    ],
    "claims": services.writable(services.ClaimChanges),
    "figures": services.writable(services.FigureChanges),
    "links": services.writable(services.LinkChanges),
}
#: Reference fields: the kind of bundle row (or stored model) each points to.
REFERENCES = {
    "sources": {"parent": "sources"},
    "claims": {"source": "sources", "document": "documents"},
    "figures": {"claim": "claims", "measure": "measures"},
    "links": {"from_claim": "claims", "to_claim": "claims"},
}
#: A claim row's choice of one of several occurrences of its quote (not stored):
#: the name of each in the bundle and of the attribute the claim reads it from.
QUOTE_SELECTORS = {
    "quote_prefix": "quote_prefix",
    "quote_suffix": "quote_suffix",
    "quote_start": "quote_start_given",
}
#: Fields of a row that say what it was read from (intake's proposals carry them,
#: ``claims.exchange.intake.proposals``): accepted and never stored.
ROW_ANNOTATIONS = (
    "matched",
    "confidence",
    "speaker",
    "speaker_span",
    "cue",
    "cue_span",
    "quote_span",
    "span",
    "interval",
    "candidates",
)
#: The bundle's own annotation (intake's reason and notes): accepted, never stored.
BUNDLE_ANNOTATION = "intake"
MODELS = {
    "documents": Document,
    "sources": Source,
    "measures": Measure,
    "claims": Claim,
    "figures": Figure,
    "links": Link,
}


#: Kinds whose names are unique whatever their case (a constraint on the lower-case
#: name): the field, checked for all the bundle's new rows at once, and why a name
#: is refused that another holds (the constraint's own message).
NAMED = {"sources": ("name",), "measures": ("name",)}
#: Fields by which ``_Importer._match_stored`` matches a row to a stored object
#: (the same exact comparison as the field's unique constraint): a row left to be
#: created holds no stored value of the field, so its constraint is not asked again
#: row by row.
MATCHED_ON = {"documents": ("url",)}
NAME_TAKEN = {
    kind: next(
        c.violation_error_message
        for c in MODELS[kind]._meta.constraints
        if c.name == f"{kind[:-1]}_name_unique"
    )
    for kind in NAMED
}


@dataclass(frozen=True)
class RowError:
    kind: str
    key: str
    field: str
    reason: str

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "key": self.key,
            "field": self.field,
            "reason": self.reason,
        }


class BundleError(Exception):
    """The bundle was refused; ``errors`` says which rows and why. Nothing written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            f"{len(errors)} bad row(s) in the bundle; nothing was written."
        )


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)
    ids: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"created": self.created, "matched": self.matched, "ids": self.ids}


Progress = Callable[[str, int, int], None]


def import_bundle(
    bundle: dict, *, user=None, progress: Progress | None = None
) -> ImportResult:
    """Validate and write the whole bundle in one transaction, or raise
    ``BundleError`` with every bad row found and write nothing."""
    errors = _shape_errors(bundle)
    if errors:
        raise BundleError(errors)
    importer = _Importer(bundle, user=user, progress=progress or (lambda *a: None))
    with transaction.atomic():
        if bundle.get("links"):
            services.lock_link_graph()
        importer.run()
        # Bulk writes send no signals: the cached comparisons are dropped here.
        caching.bump_all()
    return importer.result


def _shape_errors(bundle) -> list[RowError]:
    if not isinstance(bundle, dict):
        return [RowError("bundle", "", "", "A bundle is a JSON object of lists.")]
    errors = []
    for kind in bundle:
        if kind not in KINDS and kind != BUNDLE_ANNOTATION:
            errors.append(
                RowError(kind, "", "", f"Unknown kind; expected {', '.join(KINDS)}.")
            )
    for kind in KINDS:
        rows = bundle.get(kind, [])
        if not isinstance(rows, list):
            errors.append(RowError(kind, "", "", "Must be a list of rows."))
            continue
        keys = set()
        for index, row in enumerate(rows):
            key = str(row.get("key", "")) if isinstance(row, dict) else ""
            label = key or f"#{index + 1}"
            if not isinstance(row, dict):
                errors.append(RowError(kind, label, "", "A row is a JSON object."))
                continue
            if not key:
                errors.append(RowError(kind, label, "key", "Every row needs a key."))
            elif key in keys:
                errors.append(RowError(kind, key, "key", "This key is used twice."))
            keys.add(key)
            for name, value in row.items():
                if name == "key" or name in ROW_ANNOTATIONS:
                    continue
                if name not in FIELDS[kind]:
                    errors.append(RowError(kind, label, name, "Unknown field."))
                elif problem := _shape_of_value(MODELS[kind], name, value):
                    errors.append(RowError(kind, label, name, problem))
    return errors


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return {list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _unstorable(value) -> str:
    """What no database text holds that a JSON value holds anywhere: a NUL
    character, or a lone surrogate (JSON may escape one, "\\ud800", though it is
    no character and cannot be written as UTF-8). "" when there is none."""
    if isinstance(value, str):
        if "\x00" in value:
            return "Null characters are not allowed."
        found = _SURROGATE.search(value)
        if found:
            return f"Surrogate characters are not allowed: U+{ord(found[0]):04X}."
        return ""
    if isinstance(value, list):
        return next(filter(None, map(_unstorable, value)), "")
    if isinstance(value, dict):
        return next(
            filter(None, (_unstorable(k) or _unstorable(v) for k, v in value.items())),
            "",
        )
    return ""


def _shape_of_value(model, name: str, value) -> str:
    """What is wrong with the JSON type of a value, before the field's own
    validation: the type a field takes (a string for text and dates, a number or a
    numeric string for numbers, true/false, a key or an id for references), and null
    only where the field takes none."""
    unstorable = _unstorable(value)
    if unstorable:
        return unstorable
    if name == "topics":
        if not isinstance(value, list) or not all(
            isinstance(t, str) and t.strip() for t in value
        ):
            return "A list of topic names."
        longest = Topic._meta.get_field("name").max_length
        too_long = [t for t in value if len(t) > longest]
        if too_long:
            return (
                f"A topic name has at most {longest} characters: {too_long[0][:40]!r}…"
            )
        return ""
    if name in QUOTE_SELECTORS:
        if value is None:
            return ""
        if name == "quote_start":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                return f"Expected an offset (a whole number from 0), not {value!r}."
            return ""
        return "" if isinstance(value, str) else f"Expected a string, not {value!r}."
    field = model._meta.get_field(name)
    if isinstance(field, models.JSONField):
        return ""
    if value is None:
        return "" if field.null else "This field may not be null."
    if isinstance(field, models.ForeignKey):
        wanted, types = "a key of the bundle or a stored id", (str, int)
    elif isinstance(field, models.BooleanField):
        wanted, types = "true or false", (bool,)
    elif isinstance(field, models.DateField | models.TimeField):
        wanted, types = "a date as a string (ISO 8601)", (str,)
    elif isinstance(
        field, models.IntegerField | models.FloatField | models.DecimalField
    ):
        wanted, types = "a number", (int, float, str)
    else:
        wanted, types = "a string", (str,)
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        return f"Expected {wanted}, not {_json_type(value)}."
    return ""


def _validate(
    instance: models.Model,
    exclude: list[str],
    check_stored: bool,
    checked_apart: tuple[str, ...] = (),
) -> None:
    """``full_clean()``, but field by field first: the models' ``clean()`` relies on
    converted values (a date, not a string), as it may after a form or a serializer.
    Each field is validated once. ``checked_apart``: fields whose uniqueness the
    caller checks itself (for many rows at once)."""
    instance.clean_fields(exclude=exclude)
    errors: dict = {}
    try:
        instance.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    skip = [*exclude, *errors, *checked_apart]
    try:
        instance.validate_unique(exclude=skip)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if check_stored:
        try:
            instance.validate_constraints(exclude=skip)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


class _Importer:
    def __init__(self, bundle: dict, *, user, progress: Progress):
        self.bundle = bundle
        self.user = user
        self.progress = progress
        self.result = ImportResult()
        self.objects: dict[str, dict[str, models.Model]] = {k: {} for k in KINDS}
        self.errors: list[RowError] = []
        self.created_claims: set[int] = set()
        self.pairs: dict[frozenset, dict[str, str]] = {}
        self.edges: dict[int, list[int]] = {}
        self.quotes: dict[tuple, Claim] = {}
        self.quote_keys: dict[int, str] = {}
        self.created_pks: dict[str, set[int]] = {k: set() for k in KINDS}
        #: The lower-case names of the new sources and measures, by kind.
        self.new_names: dict[str, set[str]] = {}

    def run(self) -> None:
        self._match_stored()
        for kind in KINDS:
            self._stage(kind)
            if self.errors:
                raise BundleError(self.errors)
        self.result.ids = {
            kind: {key: obj.pk for key, obj in objects.items()}
            for kind, objects in self.objects.items()
            if objects
        }

    # Matching stored objects -----------------------------------------------------------

    def _match_stored(self) -> None:
        urls = {r["url"] for r in self.rows("documents") if r.get("url")}
        by_url = (
            # Without the empty URL the query reads the unique index of URLs (a
            # partial one, of the non-empty URLs) rather than every document.
            {d.url: d for d in Document.objects.filter(url__in=urls).exclude(url="")}
            if urls
            else {}
        )
        self._match("documents", lambda r: by_url.get(r.get("url") or ""))
        for kind, model in (("sources", Source), ("measures", Measure)):
            names = {str(r.get("name", "")).lower() for r in self.rows(kind)}
            stored = (
                {
                    obj.name.lower(): obj
                    for obj in model.objects.annotate(lname=Lower("name")).filter(
                        lname__in=names
                    )
                }
                if names
                else {}
            )
            self._match(kind, lambda r, s=stored: s.get(str(r.get("name", "")).lower()))

    def _match(self, kind, find) -> None:
        for row in self.rows(kind):
            stored = find(row)
            if stored is not None:
                self.objects[kind][str(row["key"])] = stored
                self.result.matched[kind] = self.result.matched.get(kind, 0) + 1

    def rows(self, kind) -> list[dict]:
        return self.bundle.get(kind, [])

    # Staging, validating and writing -----------------------------------------------------

    def _stage(self, kind: str) -> None:
        rows = [r for r in self.rows(kind) if str(r["key"]) not in self.objects[kind]]
        if kind == "sources":
            self._stage_sources(rows)
            return
        model = MODELS[kind]
        built: list[tuple[dict, models.Model]] = []
        topics_of: dict[str, list[str]] = {}
        for done, row in enumerate(rows, start=1):
            key = str(row["key"])
            instance = self._build(kind, row)
            if instance is None:
                continue
            if kind == "claims":
                topics_of[key] = [str(t) for t in row.get("topics", [])]
                self.quote_keys[id(instance)] = key
            exclude = [
                name for name in REFERENCES.get(kind, {}) if row.get(name) is not None
            ]
            check_stored = True
            if kind == "links":
                check_stored = self._prepare_link(instance)
            try:
                _validate(
                    instance,
                    exclude,
                    check_stored,
                    NAMED.get(kind, ()) + MATCHED_ON.get(kind, ()),
                )
            except ValidationError as error:
                self._report(kind, key, error)
                continue
            if kind == "links" and not self._register_link(key, instance):
                continue
            built.append((row, instance))
            if done % 1000 == 0:
                self.progress(kind, done, len(rows))
        if self.errors:
            return
        if kind in NAMED:
            self._write_named(kind, [(str(row["key"]), obj) for row, obj in built])
            if self.errors:
                return
        else:
            self._write(model, [instance for _, instance in built])
        instances = [instance for _, instance in built]
        for row, instance in built:
            self.objects[kind][str(row["key"])] = instance
        self.created_pks[kind] |= {instance.pk for instance in instances}
        if kind == "claims":
            self.created_claims = {instance.pk for instance in instances}
            self._set_topics(topics_of)
        if instances:
            self.result.created[kind] = len(instances)
        self.progress(kind, len(rows), len(rows))

    def _stage_sources(self, rows: list[dict]) -> None:
        """Sources a generation at a time: those under no new source of the bundle,
        then their children, and so on. Children validate against their parents, so
        each generation is saved before the next is built; a generation is validated
        and written in one go."""
        created: list[Source] = []
        done = 0
        for generation in self._generations(self._parents_first(rows)):
            built: list[tuple[str, Source]] = []
            for row in generation:
                key = str(row["key"])
                instance = self._build("sources", row)
                if instance is None:
                    continue
                exclude = [name for name in ("parent",) if row.get(name) is not None]
                try:
                    _validate(instance, exclude, True, NAMED["sources"])
                except ValidationError as error:
                    self._report("sources", key, error)
                    continue
                built.append((key, instance))
            built = self._write_named("sources", built)
            for key, instance in built:
                self.objects["sources"][key] = instance
            created += [instance for _key, instance in built]
            done += len(generation)
            self.progress("sources", done, len(rows))
        if self.errors:
            return
        self.created_pks["sources"] |= {instance.pk for instance in created}
        if created:
            self.result.created["sources"] = len(created)

    @staticmethod
    def _generations(ordered: list[dict]) -> list[list[dict]]:
        """Sources in order of their parents (``_parents_first``) cut into
        generations: the n-th holds those n new sources below the top."""
        depth: dict[str, int] = {}
        generations: list[list[dict]] = []
        for row in ordered:
            parent = row.get("parent")
            level = (
                depth[parent] + 1 if isinstance(parent, str) and parent in depth else 0
            )
            depth[str(row["key"])] = level
            if level == len(generations):
                generations.append([])
            generations[level].append(row)
        return generations

    def _write_named(
        self, kind: str, built: list[tuple[str, models.Model]]
    ) -> list[tuple[str, models.Model]]:
        """Write new sources or measures, whose names are unique whatever their
        case: a name the bundle gave before is refused as it would be once the
        first was saved, and the stored names are asked for in one query (one row
        at a time only when one of them is taken, or when the database holds equal
        two names that Python's ``lower()`` does not). Answers the rows written."""
        model = MODELS[kind]
        seen = self.new_names.setdefault(kind, set())
        unique = []
        for key, instance in built:
            name = instance.name.lower()
            if name in seen:
                self.errors.append(RowError(kind, key, "name", NAME_TAKEN[kind]))
                continue
            seen.add(name)
            unique.append((key, instance))
        if not unique:
            return []
        one_by_one = (
            model.objects.annotate(lname=Lower("name"))
            .filter(lname__in=[Lower(Value(i.name)) for _k, i in unique])
            .exists()
        )
        if not one_by_one:
            try:
                with transaction.atomic():
                    self._write(model, [instance for _key, instance in unique])
            except IntegrityError:
                one_by_one = True
        if not one_by_one:
            return unique
        written = []
        for key, instance in unique:
            instance.pk = None
            instance._state.adding = True
            try:
                instance.validate_constraints()
            except ValidationError as error:
                self._report(kind, key, error)
                continue
            self._write(model, [instance])
            written.append((key, instance))
        return written

    def _write(self, model, instances: list) -> None:
        if not instances:
            return
        for instance in instances:
            if isinstance(instance, Link) and self.user is not None:
                instance.created_by = self.user
        model.objects.bulk_create(instances, batch_size=1000)
        bulk_history.insert_created(
            model, instances, user=self.user, reason="Imported from a bundle"
        )

    def _build(self, kind: str, row: dict) -> models.Model | None:
        model = MODELS[kind]
        values = {}
        key = str(row["key"])
        for name in FIELDS[kind]:
            if name not in row or name == "topics":
                continue
            if kind == "claims" and name in QUOTE_SELECTORS:
                values[QUOTE_SELECTORS[name]] = row[name]
                continue
            value = row[name]
            target_kind = REFERENCES.get(kind, {}).get(name)
            if target_kind and value is not None:
                target = self._resolve(target_kind, value)
                if target is None:
                    self.errors.append(
                        RowError(
                            kind,
                            key,
                            name,
                            f"Refers to {value!r}, which is neither a key of the bundle's "
                            f"{target_kind} (without errors) nor a stored id.",
                        )
                    )
                    return None
                values[name] = target
            elif value == "" and not isinstance(
                model._meta.get_field(name), models.CharField | models.TextField
            ):
                values[name] = None  # an empty date or number is no date or number
            else:
                values[name] = value
        instance = model()
        for name, value in values.items():
            try:
                setattr(instance, name, value)
            except (TypeError, ValueError) as error:
                self.errors.append(RowError(kind, key, name, str(error)))
                return None
        if kind == "figures" and instance.measure_id is None and "measure" in values:
            instance.measure = values["measure"]
        if kind == "figures":
            instance.as_of_given = instance.as_of is not None
        if kind == "claims":
            instance._duplicate_quote = lambda c=instance: self._duplicate_quote(c)
        return instance

    def _duplicate_quote(self, claim: Claim) -> int | str | None:
        """Another claim, stored or of the bundle, with this claim's source,
        document and quote: stored ones are asked for only when both the source
        and the document were stored before the import."""
        span = (
            (claim.quote_start, claim.quote_end)
            if claim.quote_start is not None
            else claim.quote
        )
        key = (id(claim.source), id(claim.document), span)
        earlier = self.quotes.get(key)
        if earlier is not None and earlier is not claim:
            return f"{self.quote_keys[id(earlier)]} (of this bundle)"
        self.quotes[key] = claim
        if (
            claim.source.pk in self.created_pks["sources"]
            or claim.document.pk in self.created_pks["documents"]
        ):
            return None
        return self._stored_duplicate_quote(claim)

    # The reads of stored rows that validating one row makes: a subclass may answer
    # them for many rows at once (``bundle_stream._ChunkImporter``).

    def _stored_duplicate_quote(self, claim: Claim) -> int | None:
        """The id of a stored claim with this claim's source, document and quote."""
        return Claim._duplicate_quote(claim)

    def _stored_relations(self, link: Link) -> set[str]:
        """The relations of the stored links between this link's two claims."""
        return Link._relations_between(link)

    def _stored_steps(self, claims: list[int]) -> list[tuple[int, int]]:
        """The stored deriving links out of ``claims``, as (from, to) pairs in the
        order of their ids."""
        return list(
            Link.objects.filter(from_claim__in=claims, relation__in=DERIVING_RELATIONS)
            .order_by("id")
            .values_list("from_claim_id", "to_claim_id")
        )

    def _resolve(self, kind: str, value) -> models.Model | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            if not hasattr(self, "_stored"):
                self._stored: dict[str, dict[int, models.Model]] = {}
            cache = self._stored.setdefault(kind, {})
            if value not in cache:
                cache[value] = MODELS[kind].objects.filter(pk=value).first()
            return cache[value]
        return self.objects[kind].get(str(value))

    def _parents_first(self, rows: list[dict]) -> list[dict]:
        keys = {str(r["key"]) for r in rows}
        ordered, placed = [], set()
        pending = list(rows)
        while pending:
            ready = [
                r
                for r in pending
                if not (
                    isinstance(r.get("parent"), str)
                    and r["parent"] in keys
                    and r["parent"] not in placed
                )
            ]
            if not ready:  # a cycle of parents: report them, their order is moot
                for row in pending:
                    self.errors.append(
                        RowError(
                            "sources",
                            str(row["key"]),
                            "parent",
                            "The bundle's sources form a cycle of parents.",
                        )
                    )
                return ordered
            for row in ready:
                ordered.append(row)
                placed.add(str(row["key"]))
            pending = [r for r in pending if str(r["key"]) not in placed]
        return ordered

    def _report(self, kind: str, key: str, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            for message in messages:
                self.errors.append(
                    RowError(kind, key, "" if name == "__all__" else name, message)
                )

    # Links: validated by Link.clean() against the stored links and the bundle's own.

    def _prepare_link(self, link: Link) -> bool:
        """Let the link's validation see the bundle's earlier links; returns whether
        it also needs the database's uniqueness check (a stored claim is involved)."""
        ends = {link.from_claim_id, link.to_claim_id}
        stored_ends = ends - self.created_claims
        pair = frozenset(ends)

        def relations_between() -> set[str]:
            found = set(self.pairs.get(pair, {}))
            if stored_ends == ends:  # both stored: stored links between them count
                found |= self._stored_relations(link)
            return found

        link._relations_between = relations_between
        link._derives_from = self._steps
        return bool(stored_ends)

    def _register_link(self, key: str, link: Link) -> bool:
        pair = frozenset((link.from_claim_id, link.to_claim_id))
        earlier = self.pairs.setdefault(pair, {})
        if link.relation in earlier:
            self.errors.append(
                RowError(
                    "links",
                    key,
                    "to_claim",
                    "These two claims are already linked with this relation (row "
                    f"{earlier[link.relation]}).",
                )
            )
            return False
        earlier[link.relation] = key
        if link.relation in DERIVING_RELATIONS:
            self.edges.setdefault(link.from_claim_id, []).append(link.to_claim_id)
        return True

    def _steps(self, frontier: Iterable[int]) -> dict:
        """Deriving links out of ``frontier``: the bundle's, and the stored ones of
        claims the bundle did not create (those it created have none)."""
        steps: dict[int, list[int]] = {n: list(self.edges.get(n, [])) for n in frontier}
        older = [n for n in frontier if n not in self.created_claims]
        if older:
            for source, target in self._stored_steps(older):
                steps.setdefault(source, []).append(target)
        return steps

    def _set_topics(self, topics_of: dict[str, list[str]]) -> None:
        names = {name for names in topics_of.values() for name in names}
        if not names:
            return
        stored = {t.name: t for t in Topic.objects.filter(name__in=names)}
        new = [Topic(name=name) for name in sorted(names - set(stored))]
        if new:
            Topic.objects.bulk_create(new)
            bulk_history.insert_created(
                Topic, new, user=self.user, reason="Imported from a bundle"
            )
            stored |= {t.name: t for t in new}
        through = Claim.topics.through
        rows = through.objects.bulk_create(
            [
                through(claim=self.objects["claims"][key], topic=stored[name])
                for key, names in topics_of.items()
                for name in dict.fromkeys(names)  # a name given twice: one row
            ],
            batch_size=1000,
        )
        # The claims are new: their latest history entry is their first.
        bulk_history.insert_m2m(Claim, "topics", rows)
