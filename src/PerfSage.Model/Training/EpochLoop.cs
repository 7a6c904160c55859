using System.Diagnostics;
using System.Globalization;
using PerfSage.Graph.Features;
using PerfSage.Model.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PerfSage.Model;

/// <summary>
/// The epochs of a training run. Each epoch: the learning rate of the cosine schedule, the training split in the
/// epoch's order (<see cref="Order"/>) in batches of <see cref="TrainOptions.BatchSize"/>, each an Adam step on the mean
/// |ln ŷ − ln y| over its labels (gradients clipped); then the validation loss (<see cref="ValidationScore"/>), the best
/// epoch so far, a checkpoint and the report. Stops after the last epoch or <see cref="TrainOptions.Patience"/> epochs
/// without a better validation loss, and leaves the best epoch's weights in the network (the last epoch's without
/// validation data). A run with a checkpoint of the same fingerprint resumes after it.
/// </summary>
internal sealed class EpochLoop
{
    private readonly PerfSageNet _net;
    private readonly Device _device;
    private readonly TrainOptions _options;
    private readonly HeadPlan _heads;
    private readonly List<Parameter> _trainable = [];
    private readonly GraphFeatures[] _trainX;
    private readonly GraphFeatures[] _validationX;
    private readonly float[][] _trainY;
    private readonly float[][] _validationY;
    private readonly CosineSchedule _schedule;

    /// <summary>Marks the parameters that learn (trained heads, and the trunk unless frozen) and scales the data.</summary>
    public EpochLoop(PerfSageNet net, Device device, TrainingData data, HeadPlan heads, TrainOptions options)
    {
        _net = net;
        _device = device;
        _options = options;
        _heads = heads;
        foreach ((string name, Parameter p) in net.named_parameters())
        {
            bool isHead = name.StartsWith("heads.", StringComparison.Ordinal);
            bool train = isHead ? heads.IsTrainedHeadParameter(name) : !options.FreezeTrunk;
            p.requires_grad = train;
            if (train)
            {
                _trainable.Add(p);
            }
        }
        _trainX = data.Train.Select(s => data.Normalisation.Scale(s.Features)).ToArray();
        _validationX = data.Validation.Select(s => data.Normalisation.Scale(s.Features)).ToArray();
        _trainY = data.Train.Select(heads.LogLabels).ToArray();
        _validationY = data.Validation.Select(heads.LogLabels).ToArray();
        _schedule = new CosineSchedule(options.LearningRate, options.MinLearningRate, options.Epochs);
    }

    /// <summary>What the epochs left: every epoch's report (resumed ones included), the best epoch and its validation loss
    /// (+∞ without validation data).</summary>
    public sealed record Outcome(IReadOnlyList<EpochReport> History, int BestEpoch, double BestValidationLoss);

    /// <summary>The order of the training samples in epoch <paramref name="epoch"/>: a SplitMix64 shuffle seeded by
    /// (seed, epoch), so it does not depend on earlier epochs.</summary>
    public static int[] Order(int count, long seed, int epoch)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        var rng = new SplitMix64(SplitMix64.Mix((ulong)seed) ^ ((ulong)epoch * 0xD1B54A32D192ED03UL));
        rng.Shuffle(order);
        return order;
    }

    /// <summary>Runs the epochs (see the class summary); <paramref name="fingerprint"/> ties checkpoints to this run.</summary>
    public Outcome Run(string fingerprint, IProgress<EpochReport>? progress, CancellationToken cancellationToken)
    {
        using var optimizer = new AdamOptimizer(_trainable, _options.LearningRate, _options.WeightDecay);
        int startEpoch = 1;
        double best = double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        bool finished = false;
        byte[]? bestWeights = null;
        var history = new List<EpochReport>();
        if (_options.CheckpointDirectory is { } dir && _options.Resume)
        {
            CheckpointState? state = Checkpoint.TryRestoreLatest(dir, fingerprint, _net, optimizer, out bestWeights);
            if (state is not null)
            {
                startEpoch = state.Epoch + 1;
                best = state.BestValidationLoss ?? double.PositiveInfinity;
                bestEpoch = state.BestEpoch;
                sinceBest = state.EpochsSinceBest;
                finished = state.Finished;
                history.AddRange(state.History);
            }
        }

        double? firstLoss = null;
        for (int epoch = startEpoch; epoch <= _options.Epochs && !finished; epoch++)
        {
            double lr = _schedule.At(epoch);
            optimizer.LearningRate = lr;
            long t0 = Stopwatch.GetTimestamp();
            double trainLoss = TrainEpoch(epoch, optimizer, ref firstLoss, cancellationToken);
            double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;

            double? validationLoss = null;
            var mape = new Dictionary<string, double>(StringComparer.Ordinal);
            if (_validationX.Length > 0)
            {
                float[][] predicted = NetRunner.PredictLog(_net, _device, _validationX, _options.EvaluationBatchSize);
                validationLoss = ValidationScore.Of(predicted, _validationY, _heads.Heads, mape);
                ThrowIfDiverged(epoch, validationLoss.Value, firstLoss ?? validationLoss.Value, _options.LearningRate, "validation loss");
            }
            bool isBest;
            if (validationLoss is double v)
            {
                isBest = v < best;
                if (isBest)
                {
                    best = v;
                    sinceBest = 0;
                }
                else
                {
                    sinceBest++;
                }
            }
            else
            {
                isBest = true; // without validation data the newest weights are the ones kept
            }
            if (isBest)
            {
                bestEpoch = epoch;
                bestWeights = validationLoss is null ? null : NetRunner.SaveWeights(_net);
            }
            var report = new EpochReport
            {
                Epoch = epoch,
                EpochCount = _options.Epochs,
                TrainLoss = trainLoss,
                ValidationLoss = validationLoss,
                ValidationMapePercent = mape,
                LearningRate = lr,
                TrainSeconds = seconds,
                GraphsPerSecond = seconds > 0 ? _trainX.Length / seconds : 0,
                IsBest = isBest,
            };
            history.Add(report);
            finished = epoch == _options.Epochs || (_options.Patience > 0 && validationLoss is not null && sinceBest >= _options.Patience);
            if (_options.CheckpointDirectory is { } checkpointDir)
            {
                Checkpoint.Save(checkpointDir, new CheckpointState
                {
                    Fingerprint = fingerprint,
                    Epoch = epoch,
                    BestValidationLoss = double.IsFinite(best) ? best : null,
                    BestEpoch = bestEpoch,
                    EpochsSinceBest = sinceBest,
                    Finished = finished,
                    History = history,
                }, _net, optimizer, bestWeights);
            }
            progress?.Report(report);
        }

        if (bestWeights is not null)
        {
            NetRunner.LoadWeights(_net, bestWeights);
        }
        return new Outcome(history, bestEpoch, best);
    }

    /// <summary>One pass over the training split in the epoch's order; the mean training loss over its labels.</summary>
    private double TrainEpoch(int epoch, AdamOptimizer optimizer, ref double? firstLoss, CancellationToken cancellationToken)
    {
        int[] order = Order(_trainX.Length, _options.Seed, epoch);
        int heads = _heads.Heads.Count;
        _net.train();
        double lossSum = 0;
        long labelCount = 0;
        var batchX = new List<GraphFeatures>(_options.BatchSize);
        for (int start = 0; start < order.Length; start += _options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int end = Math.Min(order.Length, start + _options.BatchSize);
            batchX.Clear();
            var y = new float[(end - start) * heads];
            var mask = new float[y.Length];
            int count = 0;
            for (int i = start; i < end; i++)
            {
                batchX.Add(_trainX[order[i]]);
                float[] row = _trainY[order[i]];
                for (int k = 0; k < heads; k++)
                {
                    if (!float.IsNaN(row[k]))
                    {
                        y[((i - start) * heads) + k] = row[k];
                        mask[((i - start) * heads) + k] = 1;
                        count++;
                    }
                }
            }
            if (count == 0)
            {
                continue;
            }
            using DisposeScope scope = NewDisposeScope();
            GraphBatch batch = GraphBatch.Collate(batchX, _device);
            Tensor target = torch.tensor(y, [end - start, heads], device: _device);
            Tensor weight = torch.tensor(mask, [end - start, heads], device: _device);
            _net.zero_grad();
            using Scalar labels = count.ToScalar();
            Tensor loss = _net.forward(batch).sub(target).abs().mul(weight).sum().div(labels);
            double batchLoss = loss.item<float>();
            firstLoss ??= batchLoss;
            ThrowIfDiverged(epoch, batchLoss, firstLoss.Value, _options.LearningRate);
            loss.backward();
            if (_options.GradientClipNorm > 0)
            {
                nn.utils.clip_grad_norm_(_trainable, _options.GradientClipNorm);
            }
            optimizer.Step();
            lossSum += batchLoss * count;
            labelCount += count;
        }
        return labelCount > 0 ? lossSum / labelCount : 0;
    }

    /// <summary>Throws <see cref="TrainingDivergedException"/> when <paramref name="loss"/> is not finite or more than
    /// <see cref="Trainer.DivergenceFactor"/> times <paramref name="first"/> (at least 1).</summary>
    private static void ThrowIfDiverged(int epoch, double loss, double first, double learningRate, string what = "training loss")
    {
        if (double.IsFinite(loss) && loss <= Trainer.DivergenceFactor * Math.Max(1, first))
        {
            return;
        }
        string why = double.IsFinite(loss)
            ? string.Create(CultureInfo.InvariantCulture, $"{what} {loss:G4}, over {Trainer.DivergenceFactor:0} times the first batch's {first:G4}")
            : string.Create(CultureInfo.InvariantCulture, $"{what} {loss}");
        throw new TrainingDivergedException(string.Create(CultureInfo.InvariantCulture,
            $"training diverged at epoch {epoch} ({why}); no model was saved: lower the learning rate (--lr, now {learningRate:G4})"));
    }
}
