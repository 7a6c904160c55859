namespace PerfSage.Model;

/// <summary>
/// A learning rate that falls along half a cosine from <paramref name="Initial"/> at step 1 to <paramref name="Final"/> at
/// step <paramref name="Steps"/>: rate(s) = final + (initial − final) · ½(1 + cos(π (s − 1) / (steps − 1))). With one
/// step (or none) the rate is the initial one. Used per epoch by <see cref="Trainer"/> (to
/// <see cref="TrainOptions.MinLearningRate"/>) and per step by <see cref="HeadFitter"/> (to 1 % of the initial rate).
/// </summary>
/// <param name="Initial">The rate at step 1.</param>
/// <param name="Final">The rate at the last step.</param>
/// <param name="Steps">Steps in the schedule (1-based: the last is <paramref name="Steps"/>).</param>
internal sealed record CosineSchedule(double Initial, double Final, int Steps)
{
    /// <summary>The rate at <paramref name="step"/> (1-based).</summary>
    public double At(int step)
    {
        if (Steps <= 1)
        {
            return Initial;
        }
        double t = (step - 1) / (double)(Steps - 1);
        return Final + (0.5 * (Initial - Final) * (1 + Math.Cos(Math.PI * t)));
    }
}
