using Xunit;

namespace PerfSage.Model.Tests;

public sealed class CosineScheduleTests
{
    [Fact]
    public void Ends_are_exact_and_the_midpoint_is_the_mean()
    {
        // 1 → 0.25 over 5 steps: binary fractions, so both ends come out exact.
        var s = new CosineSchedule(1, 0.25, 5);
        Assert.Equal(1.0, s.At(1));
        Assert.Equal(0.25, s.At(5));
        Assert.Equal(0.625, s.At(3), 15);                 // cos(π/2) = 0: (1 + 0.25) / 2
        Assert.Equal(0.890165043, s.At(2), 9);            // 0.25 + 0.75 · (1 + √2/2) / 2 = 0.25 + 0.75 · 0.853553391
        Assert.Equal(0.359834957, s.At(4), 9);            // 0.25 + 0.75 · (1 − √2/2) / 2 = 0.25 + 0.75 · 0.146446609
    }

    [Fact]
    public void Trainer_schedule_reaches_the_minimum_at_the_last_epoch()
    {
        // Trainer defaults: 3e-3 → 1e-5 over 100 epochs; midpoint of 101 epochs is epoch 51.
        var s = new CosineSchedule(3e-3, 1e-5, 101);
        Assert.Equal(3e-3, s.At(1), 15);
        Assert.Equal(1e-5, s.At(101));
        Assert.Equal((3e-3 + 1e-5) / 2, s.At(51), 15);
        var o = new TrainOptions { Epochs = 101, LearningRate = 3e-3, MinLearningRate = 1e-5 };
        Assert.Equal(s.At(51), Trainer.LearningRateAt(o, 51));
    }

    [Fact]
    public void Head_fit_schedule_ends_at_one_percent()
    {
        // HeadFitter: 1e-2 → 1e-4 (1 %) over 300 steps; at step 200, t = 199/299 and cos(π t) = −0.496964.
        var s = new CosineSchedule(1e-2, 0.01 * 1e-2, 300);
        Assert.Equal(1e-2, s.At(1), 15);
        Assert.Equal(1e-4, s.At(300));
        double t = 199 / 299.0;
        Assert.Equal(1e-2 * (0.01 + (0.99 * 0.5 * (1 + Math.Cos(Math.PI * t)))), s.At(200), 1e-17); // the fitter's own form of the same rate
        Assert.Equal(0.00259003, s.At(200), 8);           // 1e-4 + 0.99e-2 · (1 − 0.496964) / 2 = 1e-4 + 0.99e-2 · 0.251518
    }

    [Fact]
    public void One_step_or_none_keeps_the_initial_rate()
    {
        Assert.Equal(0.1, new CosineSchedule(0.1, 0.001, 1).At(1));
        Assert.Equal(0.1, new CosineSchedule(0.1, 0.001, 0).At(1));
    }
}
