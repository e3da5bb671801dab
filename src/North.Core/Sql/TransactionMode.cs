namespace North.Core.Sql;

/// <summary>How a script file is run with respect to transactions.</summary>
public enum TransactionMode
{
    /// <summary>No transaction control, or only one outer <c>BEGIN; ... COMMIT;</c>: North runs the body and the history insert in one transaction of its own.</summary>
    Atomic,
    /// <summary>Other transaction control: statements one at a time, the file's own BEGIN/COMMIT honoured; recorded after.</summary>
    AsWritten,
    /// <summary>A non-transactional keyword (<c>CONCURRENTLY</c>, <c>ALTER TYPE</c>, <c>VACUUM</c>...): each statement alone, in autocommit.</summary>
    None,
}
