"""Model: a parsed HOT template -> checked, typed data, with values as expression trees.

The second stage of `hotdsl import`: it reads a `Document` the way Heat would (which
sections and keys exist in the template's version, which single-key maps are function
calls, what their arguments must look like) and turns every value into an `Expr`,
where `get_param`, `get_resource`, `get_attr` and condition names are references to
the template's own parameters, resources and conditions. Templates Heat would reject
for their shape raise `TemplateError` with the file and line; problems Heat finds only
later (a reference to a resource that does not exist) are kept as written and
recorded as findings, so that synth can report them too.

Takes a `Document` (from `parse`), gives a `TemplateModel` (`build_template`). The
modules: `nodes` (the model's types), `template` (sections), `parameters`,
`resources`, `reader` (values) and `functions` (one reader per HOT function).
"""

from hotdsl.importer.model.nodes import (
    AttrRef,
    Call,
    ConditionModel,
    CondRef,
    ConstraintModel,
    Expr,
    FileRef,
    Finding,
    FindingLevel,
    Lit,
    Map,
    OutputModel,
    ParameterGroupModel,
    ParameterModel,
    ParamRef,
    ProviderTypeRef,
    ResourceModel,
    ResourceRef,
    Scalar,
    Seq,
    TemplateModel,
    UndeclaredParamRef,
    to_data,
    walk,
)
from hotdsl.importer.model.reader import ProviderLookup
from hotdsl.importer.model.template import build_template

__all__ = [
    "AttrRef",
    "Call",
    "CondRef",
    "ConditionModel",
    "ConstraintModel",
    "Expr",
    "FileRef",
    "Finding",
    "FindingLevel",
    "Lit",
    "Map",
    "OutputModel",
    "ParamRef",
    "ParameterGroupModel",
    "ParameterModel",
    "ProviderLookup",
    "ProviderTypeRef",
    "ResourceModel",
    "ResourceRef",
    "Scalar",
    "Seq",
    "TemplateModel",
    "UndeclaredParamRef",
    "build_template",
    "to_data",
    "walk",
]
