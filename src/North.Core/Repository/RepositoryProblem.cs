using North.Core.Errors;

namespace North.Core.Repository;

/// <summary>
/// A problem discovery found. <see cref="MigrationRepository.Load"/> throws the first as a
/// <see cref="RepositoryException"/>; the repository check turns each into a diagnostic.
/// </summary>
internal sealed record RepositoryProblem(string Code, string ErrorId, NorthErrorKind Kind, string? Path, string? RelativePath, string Message, string? RecommendedAction = null)
{
    public RepositoryException ToException(int others = 0) =>
        new(others == 0 ? Message : $"{Message} ({others} more problem(s): run Test-NorthRepository to list them.)",
            ErrorId, Kind, Path, RecommendedAction);

    public static RepositoryProblem From(string code, RepositoryException e, string root) =>
        new(code, e.ErrorId, e.Kind, e.Path, e.Path is null ? null : RelativeTo(root, e.Path), e.Message, e.RecommendedAction);

    /// <summary>Path relative to the root with '/' separators.</summary>
    public static string RelativeTo(string root, string path) =>
        System.IO.Path.GetRelativePath(root, path).Replace('\\', '/');
}
