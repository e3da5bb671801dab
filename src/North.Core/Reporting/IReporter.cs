namespace North.Core.Reporting;

/// <summary>
/// How the core speaks while it works. The core never writes to a console: the PowerShell layer
/// turns these calls into Write-Verbose, Write-Debug, Write-Warning, Write-Information and
/// Write-Progress (on the pipeline thread); tests collect them.
/// </summary>
public interface IReporter
{
    /// <summary>Detail a DBA asks for with -Verbose (a statement's first line, rows, duration).</summary>
    void Verbose(string message);

    /// <summary>Full detail for -Debug (whole SQL text).</summary>
    void Debug(string message);

    void Warning(string message);

    /// <summary>Server notices of low severity, \echo output.</summary>
    void Information(string message);

    void Progress(ProgressReport report);

    /// <summary>
    /// Whether <see cref="Verbose"/> reaches anyone. When it does, a run sends each statement in a
    /// round trip of its own, so that the time each verbose line gives is that statement's alone.
    /// </summary>
    bool WritesVerbose => true;
}

/// <summary>One progress update. <see cref="PercentComplete"/> is -1 when unknown; <see cref="Completed"/> closes the bar.</summary>
public sealed record ProgressReport(int Id, string Activity, string Status, int PercentComplete = -1, int ParentId = -1, bool Completed = false);

/// <summary>A reporter that drops everything.</summary>
public sealed class NullReporter : IReporter
{
    public static readonly NullReporter Instance = new();

    public void Verbose(string message) { }
    public void Debug(string message) { }
    public void Warning(string message) { }
    public void Information(string message) { }
    public void Progress(ProgressReport report) { }
    public bool WritesVerbose => false;
}
