using Xunit;

namespace PerfSage.Model.Tests;

/// <summary>Training that diverges (issue #11, item 13) stops with a clear error, makes no model and keeps the checkpoint before it.</summary>
[Collection(TorchStateGroup.Name)]
public sealed class DivergenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("perfsage-diverge-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>30 chains, all in the training split, trained as one batch per epoch: epoch 1's only batch is scored before
    /// any step (so it is the sane starting loss), and its checkpoint is written; epoch 2 sees the weights after one step.</summary>
    private static List<TrainingSample> OneBatch() =>
        SyntheticGraphs.Samples(30, seed: 5).Select(s => s with { Split = Split.Train }).ToList();

    [Theory]
    [InlineData(1e3, "1000")]
    [InlineData(1e30, "1E+30")]
    public void A_learning_rate_that_explodes_the_loss_stops_at_the_epoch_it_diverges_keeping_the_checkpoint_before(double lr, string lrText)
    {
        string checkpoints = Path.Combine(_dir, "checkpoints");
        var options = new TrainOptions
        {
            Epochs = 5, BatchSize = 64, LearningRate = lr, MinLearningRate = 1e-5, Seed = 1, Threads = 2, Patience = 0,
            CheckpointDirectory = checkpoints,
        };
        var reports = new List<EpochReport>();

        var e = Assert.Throws<TrainingDivergedException>(() => Trainer.Train(OneBatch(), options, new SyncProgress(reports.Add)));

        Assert.IsAssignableFrom<PerfSageException>(e);
        Assert.StartsWith("training diverged at epoch 2 (training loss ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith($"); no model was saved: lower the learning rate (--lr, now {lrText})", e.Message, StringComparison.Ordinal);
        // Epoch 1 finished (its loss was measured before any step) and is the checkpoint left to resume from.
        EpochReport first = Assert.Single(reports);
        Assert.Equal(1, first.Epoch);
        Assert.True(double.IsFinite(first.TrainLoss) && first.TrainLoss < 10, $"epoch 1 loss {first.TrainLoss}");
        Assert.Equal(["epoch-0001"], Directory.EnumerateDirectories(checkpoints).Select(d => Path.GetFileName(d)!).ToArray());
    }

    [Fact]
    public void A_sane_learning_rate_on_the_same_data_trains_without_a_divergence()
    {
        var options = new TrainOptions { Epochs = 3, BatchSize = 64, LearningRate = 3e-3, Seed = 1, Threads = 2, Patience = 0 };
        using TrainedModel model = Trainer.Train(OneBatch(), options);
        Assert.Equal(3, model.History.Count);
        Assert.All(model.History, r => Assert.True(double.IsFinite(r.TrainLoss)));
    }

    [Fact]
    public void A_few_shot_head_fit_that_explodes_stops_with_the_same_error_type()
    {
        List<TrainingSample> board = SyntheticGraphs.Samples(20, seed: 31).Select(s => s with
        {
            Labels = new Dictionary<(string, Metric), double> { [("board", Metric.LatencyMs)] = 2 * SyntheticGraphs.LatencyMs(s.Features) },
        }).ToList();
        var options = new HeadFitOptions { LearningRate = 1e30, Threads = 2 };

        var e = Assert.Throws<TrainingDivergedException>(() => HeadFitter.AddHeads(TestModels.Chains, board, "board", options));

        Assert.StartsWith("fitting the new head diverged at step ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("; lower the learning rate (now 1E+30)", e.Message, StringComparison.Ordinal);
        Assert.Equal(["m/latency_ms"], TestModels.Chains.Heads.Select(h => h.Key)); // the base model is untouched
    }

    [Fact]
    public void A_non_finite_learning_rate_is_refused_before_training()
    {
        var options = new TrainOptions { Epochs = 1, LearningRate = double.PositiveInfinity, Threads = 2 };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(OneBatch(), options));
        Assert.Equal("LearningRate", e.ParamName);
    }
}
