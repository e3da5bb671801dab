using North.Core.Reporting;

namespace North.Core.Tests.Execution;

/// <summary>Keeps everything the core reports, for assertions.</summary>
public sealed class RecordingReporter : IReporter
{
    public List<string> Verboses { get; } = new();
    public List<string> Debugs { get; } = new();
    public List<string> Warnings { get; } = new();
    public List<string> Informations { get; } = new();
    public List<ProgressReport> Progresses { get; } = new();

    /// <summary>False: the run is told nobody reads its verbose lines (it then sends an atomic file's statements together).</summary>
    public bool WritesVerbose { get; init; } = true;

    public void Verbose(string message) => Verboses.Add(message);
    public void Debug(string message) => Debugs.Add(message);
    public void Warning(string message) => Warnings.Add(message);
    public void Information(string message) => Informations.Add(message);
    public void Progress(ProgressReport report) => Progresses.Add(report);
}
