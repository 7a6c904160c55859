using PerfSage.IO;

namespace PerfSage.Cli.Tests;

/// <summary>Issue #11: <c>train</c> holds its --out folder against a second run, and a damaged checkpoint gets advice
/// that fits it.</summary>
[Collection(TinyModelGroup.Name)]
public class TrainOutputTests(TinyModelFixture tiny)
{
    [Fact]
    public void A_second_train_into_the_same_out_exits_2_with_one_line_and_touches_nothing()
    {
        using var tmp = new ScratchFolder();
        string output = tmp.Sub("model");
        // The first run's hold, taken here the way a running train takes it.
        using FolderLock? first = FolderLock.TryAcquire(tmp.Sub(".model.lock"));
        Assert.NotNull(first);

        (int code, string stdout, string stderr) = CliRunner.Run(TinyModelFixture.TrainArgs(tiny.Data, output, "--epochs", "1"));

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            [$"perfsage: error: {output}: another perfsage train is writing this model folder (lock file .model.lock beside it); wait for it to finish or give another --out"],
            stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(output));
        Assert.False(Directory.Exists(output + ".partial"));
    }

    [Fact]
    public void A_damaged_checkpoint_is_named_with_how_to_start_over_not_blamed_on_other_data()
    {
        using var tmp = new ScratchFolder();
        string output = tmp.Sub("model");
        string partial = output + ".partial";
        string epoch = Path.Combine(partial, "checkpoints", "epoch-0001");
        Directory.CreateDirectory(epoch);
        string state = Path.Combine(epoch, "state.json");
        File.WriteAllText(state, "{\"format\": \"perfsage-checkpoint\", \"epo"); // cut short

        (int code, _, string stderr) = CliRunner.Run(TinyModelFixture.TrainArgs(tiny.Data, output, "--epochs", "1"));

        Assert.Equal(2, code);
        string error = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("perfsage: error: ", StringComparison.Ordinal));
        Assert.StartsWith($"perfsage: error: {state}: is damaged and cannot be restored (", error, StringComparison.Ordinal);
        Assert.EndsWith(
            $"; the checkpoint in {partial} cannot be resumed from: delete {partial} (or add --resume false) to start training over, or give a fresh --out",
            error, StringComparison.Ordinal);
        Assert.DoesNotContain("other data", error, StringComparison.Ordinal);
        Assert.True(File.Exists(state)); // left for the user to look at

        // The lock went with the failed run: the advice works.
        using (FolderLock? again = FolderLock.TryAcquire(tmp.Sub(".model.lock")))
        {
            Assert.NotNull(again);
        }
        (code, _, stderr) = CliRunner.Run(TinyModelFixture.TrainArgs(tiny.Data, output, "--epochs", "1", "--resume", "false"));
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(output, "manifest.json")));
    }
}
