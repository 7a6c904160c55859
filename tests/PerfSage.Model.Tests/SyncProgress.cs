namespace PerfSage.Model.Tests;

/// <summary>Reports on the calling thread (unlike <see cref="Progress{T}"/>, which posts to the thread pool).</summary>
internal sealed class SyncProgress(Action<EpochReport> action) : IProgress<EpochReport>
{
    public void Report(EpochReport value) => action(value);
}
