namespace North.Core.Schema;

/// <summary>
/// The kinds of database object North compares. The declaration order is the order in which
/// differences are listed (containers before what they contain).
/// </summary>
public enum SchemaObjectType
{
    Schema,
    Extension,
    Collation,
    Enum,
    CompositeType,
    Domain,
    RangeType,
    Sequence,
    Table,
    ForeignTable,
    Column,
    Constraint,
    Index,
    Statistics,
    View,
    MaterializedView,
    Function,
    Procedure,
    Aggregate,
    Trigger,
    Rule,
    Policy,
    EventTrigger,
}
