namespace North.Core.History;

/// <summary>How a migration came to be recorded.</summary>
public enum HistoryMode
{
    /// <summary>Run by North.</summary>
    Applied,

    /// <summary>Recorded without running: at schema load, or by Register-NorthMigration.</summary>
    Faked,
}
