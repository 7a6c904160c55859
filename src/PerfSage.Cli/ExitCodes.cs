namespace PerfSage.Cli;

/// <summary>Process exit codes (ARCHITECTURE.md, "Command line").</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A budget or check failed (the command itself ran).</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad input: unreadable or invalid model, bad CSV row, unknown target, bad arguments.</summary>
    public const int BadInput = 2;

    /// <summary>An internal error (a bug): reported with its type and message.</summary>
    public const int InternalError = 3;

    /// <summary>Interrupted by the user (Ctrl+C); 128 + SIGINT, as shells report it.</summary>
    public const int Interrupted = 130;
}
