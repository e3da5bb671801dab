using North.Core.Errors;
using North.Core.Planning;
using North.Core.Sql;

namespace North.Core.Migrating;

/// <summary>
/// A file that could not run atomically failed part-way: what it committed before the failing
/// statement stays, and the file stays marked unfinished. The message says which lines stay; the
/// recommended action keeps the failure's own (how to fix the file) before the repair steps.
/// </summary>
public sealed class PartlyAppliedException : ScriptException
{
    internal PartlyAppliedException(ScriptException failure, PlanStep step, string version)
        : base(failure, failure.Message + " " + WhatStays(failure, step), failure.ErrorId,
            (failure.RecommendedAction is { Length: > 0 } first ? first + " " : "") +
            $"Check what stays, then: finish the file by hand and Register-NorthMigration -Version {version} -Name {step.Name}; " +
            $"or undo what stays, fix the file and Unregister-NorthMigration -Version {version} -Name {step.Name} so the next run runs it again. " +
            "Until then a run stops on it.")
    {
        Failure = failure;
    }

    /// <summary>The statement's failure, with its SQLSTATE.</summary>
    public ScriptException Failure { get; }

    private static string WhatStays(ScriptException failure, PlanStep step) => step.Transaction == TransactionMode.None
        ? (failure.Line > 1
            ? $"The file runs statement by statement (not transactional): its statements before line {failure.Line} (lines 1-{failure.Line - 1}) were committed and stay."
            : "The file runs statement by statement (not transactional): nothing of it was committed.")
        : $"The file has its own transactions: what it committed before line {failure.Line} stays; the rest was rolled back.";
}
