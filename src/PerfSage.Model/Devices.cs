using TorchSharp;

namespace PerfSage.Model;

/// <summary>Names of the compute devices the library accepts: <c>cpu</c> and <c>cuda</c>.</summary>
public static class Devices
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";

    /// <summary>True when this libtorch build can use a CUDA GPU here (loads libtorch).</summary>
    public static bool CudaAvailable
    {
        get
        {
            if (!TorchRuntime.IsLoaded)
            {
                TorchRuntime.EnsureLoaded();
            }
            return torch.cuda.is_available();
        }
    }

    /// <summary>Checks a device name and turns it into a TorchSharp device.</summary>
    /// <exception cref="ArgumentException">Neither <c>cpu</c> nor <c>cuda</c>.</exception>
    /// <exception cref="TorchRuntimeException"><c>cuda</c> where libtorch has no CUDA or no GPU is visible.</exception>
    internal static torch.Device Resolve(string? name)
    {
        string device = string.IsNullOrWhiteSpace(name) ? Cpu : name.Trim().ToLowerInvariant();
        switch (device)
        {
            case Cpu:
                return torch.CPU;
            case Cuda:
                if (!torch.cuda.is_available())
                {
                    throw new TorchRuntimeException(
                        "CUDA requested but this libtorch build is CPU-only or no GPU is visible "
                        + "(PerfSage ships libtorch-cpu-linux-x64; install a CUDA libtorch package and a GPU driver, or use --device cpu)");
                }
                return torch.CUDA;
            default:
                throw new ArgumentException($"unknown device '{name}' (expected {Cpu} or {Cuda})", nameof(name));
        }
    }
}
