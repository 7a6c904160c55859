namespace PerfSage.Model;

/// <summary>Why a training checkpoint cannot be resumed from.</summary>
public enum CheckpointProblem
{
    /// <summary>It was made for other training data or options (a different fingerprint).</summary>
    OtherRun,

    /// <summary>A file of it is missing, cut short or not what it should be.</summary>
    Damaged,
}

/// <summary>
/// A checkpoint that training cannot resume from. The message names the file and the cause; <see cref="Problem"/>
/// tells the caller which advice fits (repeat the other run, or start over because the files are damaged).
/// </summary>
public sealed class CheckpointException : PerfSageException
{
    public CheckpointException() { }

    public CheckpointException(string message) : base(message) { }

    public CheckpointException(string message, Exception inner) : base(message, inner) { }

    /// <summary>A checkpoint that cannot be resumed from for <paramref name="problem"/>.</summary>
    public CheckpointException(CheckpointProblem problem, string message, Exception? inner = null)
        : base(message, inner) => Problem = problem;

    /// <summary>Which kind of problem it is.</summary>
    public CheckpointProblem Problem { get; } = CheckpointProblem.Damaged;
}
