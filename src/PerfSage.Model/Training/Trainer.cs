using PerfSage.Model.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PerfSage.Model;

/// <summary>
/// Trains a <c>PerfSageNet</c> on labelled graphs (the library behind <c>perfsage train</c>). The run, in order:
/// <list type="number">
/// <item>split the samples and fit the feature normalisation (<see cref="TrainingData"/>);</item>
/// <item>choose the heads, their offsets and, over a base model, their donors (<see cref="HeadPlan"/>);</item>
/// <item>build the network after <c>torch.manual_seed(seed)</c>, over a base model's weights when there is one;</item>
/// <item>run the epochs (<see cref="EpochLoop"/>): mean |ln ŷ − ln y| (a relative error that weighs a 2× over- and
/// under-prediction alike), Adam with a cosine learning rate (<see cref="CosineSchedule"/>), gradient clipping, early
/// stopping on the validation loss, a checkpoint after every epoch (a run started again resumes after the newest one and
/// ends as the uninterrupted run would);</item>
/// <item>record the manifest (<see cref="RunManifest"/>) and score the held-out split.</item>
/// </list>
/// Determinism: the order of epoch e is a SplitMix64 shuffle seeded by (seed, e); nothing else is random (no dropout).
/// Same seed, samples, options and thread count give the same weights.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// A batch loss more than this many times the run's first batch loss (at least 1, so a start near 0 does not
    /// make the bound tiny) means the run diverged. The loss is a mean |ln error|: 1000 ln units is a factor e^1000,
    /// which no learning run passes through on its way to a useful model.
    /// </summary>
    public const double DivergenceFactor = 1000;

    /// <summary>Trains a model. Progress is reported synchronously on the calling thread after each epoch
    /// (after its checkpoint is written, so cancelling from the report loses nothing).</summary>
    /// <exception cref="ArgumentException">No training samples or no usable labels; bad options.</exception>
    /// <exception cref="ModelFormatException">Features of another schema version.</exception>
    /// <exception cref="CheckpointException">A checkpoint made for other data or options, or a damaged one.</exception>
    /// <exception cref="TorchRuntimeException">libtorch did not load, or CUDA was requested where there is none.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the newest checkpoint (if any) stays for a resume.</exception>
    /// <exception cref="TrainingDivergedException">The loss became non-finite or grew past <see cref="DivergenceFactor"/> times
    /// its start; the newest checkpoint (written before the divergence) stays.</exception>
    public static TrainedModel Train(IReadOnlyList<TrainingSample> samples, TrainOptions options,
        IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int threads = options.Threads == 0 ? Environment.ProcessorCount : options.Threads;
        TorchRuntime.EnsureLoaded(threads, options.Seed);
        Device device = Devices.Resolve(options.Device);
        TrainingData data = TrainingData.Prepare(samples, options.BaseModel);
        HeadPlan heads = HeadPlan.Build(data, options);

        TrainedModel? baseModel = options.BaseModel;
        torch.manual_seed(options.Seed);
        var net = new PerfSageNet(baseModel?.Manifest.Network ?? options.Network, heads.Heads.Select(ToSpec).ToList());
        try
        {
            if (baseModel is not null)
            {
                // Trunk and every head the base has; new heads start as their donors or keep their fresh initialisation.
                using var stream = new MemoryStream(NetRunner.SaveWeights(baseModel.Net));
                net.load(stream, strict: false);
                heads.CopyDonorHeads(net, baseModel);
            }
            net.to(device);
            var epochs = new EpochLoop(net, device, data, heads, options);
            EpochLoop.Outcome outcome = epochs.Run(RunManifest.Fingerprint(options, heads, data), progress, cancellationToken);
            foreach (Parameter p in net.parameters())
            {
                p.requires_grad = false;
            }
            var model = new TrainedModel(net, device, RunManifest.Build(options, threads, device, data, heads, outcome), null, outcome.History);
            bool hasTest = data.Test.Count > 0;
            IReadOnlyList<TrainingSample> heldOut = hasTest ? data.Test : data.Validation;
            if (heldOut.Count > 0)
            {
                model.Metrics = Evaluation.Evaluate(model, heldOut, hasTest ? "test" : "val", options.EvaluationBatchSize).Metrics;
            }
            return model;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>Learning rate of <paramref name="epoch"/> (1-based): a cosine from the initial rate at epoch 1
    /// to the minimum at the last epoch.</summary>
    internal static double LearningRateAt(TrainOptions options, int epoch) =>
        new CosineSchedule(options.LearningRate, options.MinLearningRate, options.Epochs).At(epoch);

    /// <summary>The order of the training samples in epoch <paramref name="epoch"/> (see <see cref="EpochLoop.Order"/>).</summary>
    internal static int[] EpochOrder(int count, long seed, int epoch) => EpochLoop.Order(count, seed, epoch);

    internal static HeadSpec ToSpec(HeadManifest head) => HeadSpec.FromManifest(head);
}
