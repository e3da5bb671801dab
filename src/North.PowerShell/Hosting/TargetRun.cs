using System.Management.Automation;
using North.Core.Migrating;
using North.Core.Reporting;
using North.Core.Targets;

namespace North.PowerShell.Hosting;

/// <summary>
/// What a cmdlet's work on one target is given: the target's migrator and reporter, its identity,
/// and the two things it may ask of the pipeline thread: write an object (stamped with Server and
/// Database) and ask ShouldProcess.
/// </summary>
internal sealed class TargetRun
{
    private readonly Action<Action<Cmdlet>> _queue;
    private readonly CmdletReporter _pipeline;

    public TargetRun(DatabaseTarget target, Migrator migrator, TargetIdentity identity, IReporter reporter, CmdletReporter pipeline, Action<Action<Cmdlet>> queue)
    {
        Target = target;
        Migrator = migrator;
        Identity = identity;
        Reporter = reporter;
        _pipeline = pipeline;
        _queue = queue;
    }

    /// <summary>The target as the caller named it (the key of what was piped for it).</summary>
    public DatabaseTarget Target { get; }

    public Migrator Migrator { get; }

    public TargetIdentity Identity { get; }

    public IReporter Reporter { get; }

    /// <summary>Writes <paramref name="item"/> to the pipeline, with this target's Server and Database.</summary>
    public void Write(object item)
    {
        var stamped = Identity.Stamp(item);
        _queue(c => c.WriteObject(stamped));
    }

    /// <summary>ShouldProcess, asked on the pipeline thread (-WhatIf and -Confirm are answered there).</summary>
    public bool ShouldProcess(string target, string action) => _pipeline.InvokeOnPipeline(c => c.ShouldProcess(target, action));
}
