"""Inputs: video/camera/image sources, the MediaPipe pose stage, parallel pose, landmark tracks."""
