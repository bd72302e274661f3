"""FinCoach model training: reads the TypeScript export, trains four models, writes ONNX + manifest."""
