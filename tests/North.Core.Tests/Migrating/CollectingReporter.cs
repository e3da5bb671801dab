using North.Core.Reporting;

namespace North.Core.Tests.Migrating;

/// <summary>Keeps what the core reports, for assertions.</summary>
internal sealed class CollectingReporter : IReporter
{
    public List<string> Verboses { get; } = new();
    public List<string> Warnings { get; } = new();
    public List<ProgressReport> Progress { get; } = new();

    public void Verbose(string message) { lock (this) Verboses.Add(message); }
    public void Debug(string message) { }
    public void Warning(string message) { lock (this) Warnings.Add(message); }
    public void Information(string message) { }
    void IReporter.Progress(ProgressReport report) { lock (this) Progress.Add(report); }
}
