using North.Core.Errors;
using North.Core.Schema;
using North.Core.Settings;

namespace North.Core.Clearing;

/// <summary>
/// The guard against emptying a production database: a clear goes on only when forced or when the
/// database's name matches one of the ClearableDatabases patterns (<c>*</c>, <c>?</c>; case-sensitive,
/// as PostgreSQL names are).
/// </summary>
public static class ClearableDatabaseGuard
{

    /// <summary>True when <paramref name="database"/> matches a pattern of <paramref name="patterns"/>.</summary>
    public static bool IsClearable(string database, IReadOnlyList<string> patterns) =>
        NamePattern.All(patterns).Any(p => p.Matches(database));

    /// <summary>Throws <see cref="ErrorIds.ClearRefused"/> unless <paramref name="force"/> or the name is allowed; the message says how to allow it.</summary>
    public static void Demand(NorthSettings settings, string database, string target, bool force)
    {
        if (force || IsClearable(database, settings.ClearableDatabases))
        {
            return;
        }
        var patterns = settings.ClearableDatabases.Count == 0
            ? "no ClearableDatabases pattern is set"
            : $"it matches none of the ClearableDatabases patterns ({string.Join(", ", settings.ClearableDatabases)}, from {settings.SourceOf(nameof(NorthSettings.ClearableDatabases))})";
        throw new NorthException(
            $"Refused to empty the database \"{database}\" at {target}: {patterns}. Nothing was changed.",
            ErrorIds.ClearRefused, NorthErrorKind.PermissionDenied, target,
            "If this database may be emptied, give -Force, or allow its name with a pattern such as '*_test' in ClearableDatabases "
            + "(north.json \"ClearableDatabases\": [\"*_test\"], or NORTH_CLEARABLE_DATABASES='*_test,dev_*').");
    }
}
