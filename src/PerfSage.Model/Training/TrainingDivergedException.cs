namespace PerfSage.Model;

/// <summary>
/// Training stopped because the loss became non-finite or grew far past where it started (the learning rate is
/// too high for the data): no model is made from the run, and the newest checkpoint written before the divergence
/// is kept. The message names the epoch, the loss and the learning rate.
/// </summary>
public sealed class TrainingDivergedException : PerfSageException
{
    public TrainingDivergedException() { }

    public TrainingDivergedException(string message) : base(message) { }

    public TrainingDivergedException(string message, Exception inner) : base(message, inner) { }
}
